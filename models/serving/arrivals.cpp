#include "models/serving/arrivals.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

namespace cirrus::models {
namespace {

// In (0, 1]: safe under a logarithm.
double open_uniform(Rng& rng) { return 1.0 - rng.uniform(); }

}  // namespace

Rng stream(std::uint64_t seed, std::uint64_t number) {
  Rng mix(seed ^ (number * 0xD1B54A32D192ED03ULL));
  return Rng(mix.next());
}

double draw_normal(Rng& rng) {
  // Box-Muller, the cosine half: one normal per two uniforms keeps the stream position a plain
  // function of the draw count.
  const double u1 = open_uniform(rng);
  const double u2 = rng.uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

double draw_exponential(Rng& rng, double rate) { return -std::log(open_uniform(rng)) / rate; }

double draw_gamma(Rng& rng, double shape, double scale) {
  if (shape < 1.0) {
    // Gamma(k) = Gamma(k + 1) U^(1/k) (Marsaglia and Tsang, section 6).
    const double g = draw_gamma(rng, shape + 1.0, 1.0);
    return scale * g * std::pow(open_uniform(rng), 1.0 / shape);
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  while (true) {
    const double z = draw_normal(rng);
    const double t = 1.0 + c * z;
    if (t <= 0) continue;
    const double v = t * t * t;
    const double u = open_uniform(rng);
    if (std::log(u) < 0.5 * z * z + d - d * v + d * std::log(v)) return scale * d * v;
  }
}

double cycle_rate(double rate_per_s, const DailyCycle& cycle, double t_s) {
  const double a = (cycle.peak_to_trough - 1.0) / (cycle.peak_to_trough + 1.0);
  const double phase = 2.0 * std::numbers::pi * (t_s - 3600.0 * cycle.peak_hour) / 86400.0;
  return rate_per_s * (1.0 + a * std::cos(phase));
}

std::int32_t draw_length(Rng& rng, const LengthDist& dist) {
  switch (dist.kind) {
    case LengthKind::kFixed:
      return static_cast<std::int32_t>(dist.value);
    case LengthKind::kUniform: {
      const double span = static_cast<double>(dist.max - dist.min + 1);
      const auto offset = static_cast<std::int64_t>(rng.uniform() * span);
      return static_cast<std::int32_t>(std::min(dist.max, dist.min + offset));
    }
    case LengthKind::kLognormal: {
      const double x = dist.median * std::exp(dist.sigma * draw_normal(rng));
      const double clamped = std::clamp(std::round(x), 1.0, static_cast<double>(dist.max));
      return static_cast<std::int32_t>(clamped);
    }
  }
  return 1;
}

std::vector<Request> synthetic_requests(const ArrivalSpec& arrivals, const LengthDist& input,
                                        const LengthDist& output, std::uint64_t seed) {
  if (arrivals.kind == ArrivalKind::kTrace) {
    throw std::invalid_argument("synthetic_requests: a trace is read by read_trace");
  }
  if (!arrivals.requests && !arrivals.duration_s) {
    throw std::invalid_argument("synthetic_requests: neither a request count nor a duration");
  }
  Rng times = stream(seed, 1);
  Rng inputs = stream(seed, 2);
  Rng outputs = stream(seed, 3);
  Rng thinning = stream(seed, 4);
  const std::optional<DailyCycle>& cycle = arrivals.daily_cycle;
  const double peak_rate =
      cycle ? cycle_rate(arrivals.rate_per_s, *cycle, 3600.0 * cycle->peak_hour) : 0.0;
  const double cv = arrivals.kind == ArrivalKind::kGamma ? arrivals.cv : 1.0;
  const double shape = 1.0 / (cv * cv);
  const double scale = arrivals.rate_per_s > 0 ? 1.0 / (shape * arrivals.rate_per_s) : 0.0;
  const std::int64_t count = arrivals.requests.value_or(kMaxRequests);
  const double end = arrivals.duration_s.value_or(kMaxArrivalSeconds);
  std::vector<Request> out;
  if (arrivals.requests) out.reserve(static_cast<std::size_t>(count));
  const bool offline = arrivals.kind == ArrivalKind::kOffline;
  if (offline && !arrivals.requests) {
    throw std::invalid_argument("synthetic_requests: offline arrivals need a request count");
  }
  double t = 0;
  while (static_cast<std::int64_t>(out.size()) < count) {
    if (cycle) {
      t += draw_exponential(times, peak_rate);
      if (t > end) break;
      if (thinning.uniform() * peak_rate >= cycle_rate(arrivals.rate_per_s, *cycle, t)) continue;
    } else if (!offline) {
      t += arrivals.kind == ArrivalKind::kPoisson ? draw_exponential(times, arrivals.rate_per_s)
                                                  : draw_gamma(times, shape, scale);
    }
    if (t > end) break;
    Request r;
    r.id = static_cast<std::uint32_t>(out.size());
    r.arrival = sim::Time::ps(std::llround(t * 1e12));
    r.input_len = draw_length(inputs, input);
    r.output_len = draw_length(outputs, output);
    out.push_back(r);
  }
  return out;
}

}  // namespace cirrus::models
