#include "pricing/monte_carlo.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "common/rng.hpp"

namespace cirrus::pricing {
namespace {

constexpr double kSecondsPerHour = 3600.0;
// A trial that meets this many interruptions is taken to never finish.
constexpr long kMaxInterruptionsPerTrial = 10'000'000;

double exponential(Rng& rng, double mean) {
  // uniform() is in [0, 1): 1 - u is in (0, 1], so the log is finite.
  return -mean * std::log(1.0 - rng.uniform());
}

double percentile(const std::vector<double>& sorted, double q) {
  if (sorted.size() == 1) return sorted.front();
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  const double frac = pos - static_cast<double>(lo);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * frac;
}

Spread spread(std::vector<double> values) {
  Spread s;
  const double n = static_cast<double>(values.size());
  double sum = 0;
  for (const double v : values) sum += v;
  s.mean = sum / n;
  double sq = 0;
  for (const double v : values) sq += (v - s.mean) * (v - s.mean);
  s.stddev = values.size() > 1 ? std::sqrt(sq / (n - 1)) : 0.0;
  s.std_error = s.stddev / std::sqrt(n);
  std::sort(values.begin(), values.end());
  s.min = values.front();
  s.max = values.back();
  s.p5 = percentile(values, 0.05);
  s.p50 = percentile(values, 0.50);
  s.p95 = percentile(values, 0.95);
  return s;
}

struct Trial {
  double time_s = 0;
  long interruptions = 0;
  bool finished = true;
};

// After an interruption at `t`: restart for R, itself interruptible. Returns the time the
// restart completes and leaves `next` at the next interruption after it.
double restart(Rng& rng, const MonteCarloInput& in, double t, double& next, long& count) {
  for (;;) {
    next = t + exponential(rng, in.mtbi_s);
    if (t + in.restart_s <= next) return t + in.restart_s;
    t = next;
    if (++count > kMaxInterruptionsPerTrial) return t;
  }
}

Trial periodic_trial(Rng& rng, const MonteCarloInput& in) {
  Trial tr;
  const double tau = in.interval_s;
  const double full = std::floor(in.work_s / tau);
  double rem = in.work_s - full * tau;
  if (rem <= 1e-9 * tau) rem = 0;
  const double a = tau + in.checkpoint_s;
  double done = 0;  // full intervals saved
  bool rem_done = rem == 0;
  double t = 0;
  double next = exponential(rng, in.mtbi_s);
  while (done < full || !rem_done) {
    if (done < full) {
      // Every whole interval that fits before the next interruption, at once.
      const double fit = std::floor((next - t) / a);
      const double k = std::min(fit, full - done);
      if (k > 0) {
        t += k * a;
        done += k;
        continue;
      }
    } else if (t + rem + in.checkpoint_s <= next) {
      t += rem + in.checkpoint_s;
      rem_done = true;
      continue;
    }
    // Interrupted inside the current interval: its work is lost.
    t = next;
    ++tr.interruptions;
    t = restart(rng, in, t, next, tr.interruptions);
    if (tr.interruptions > kMaxInterruptionsPerTrial) {
      tr.finished = false;
      break;
    }
  }
  tr.time_s = t;
  return tr;
}

Trial notice_trial(Rng& rng, const MonteCarloInput& in) {
  Trial tr;
  double remaining = in.work_s + in.checkpoint_s;  // the final checkpoint too
  double t = 0;
  double next = exponential(rng, in.mtbi_s);
  while (t + remaining > next) {
    // The notice leaves time to write the checkpoint: work up to C before the end is kept.
    remaining -= std::max(0.0, next - t - in.checkpoint_s);
    t = next;
    ++tr.interruptions;
    t = restart(rng, in, t, next, tr.interruptions);
    if (tr.interruptions > kMaxInterruptionsPerTrial) {
      tr.finished = false;
      tr.time_s = t;
      return tr;
    }
  }
  tr.time_s = t + remaining;
  return tr;
}

}  // namespace

MonteCarloResult monte_carlo(const MonteCarloInput& in) {
  if (in.trials < 1) throw std::invalid_argument("monte_carlo: trials must be >= 1");
  if (in.work_s < 0 || in.checkpoint_s < 0 || in.restart_s < 0 || in.usd_per_hour < 0) {
    throw std::invalid_argument("monte_carlo: negative time or price");
  }
  const bool interrupted = in.mtbi_s > 0 && std::isfinite(in.mtbi_s) && in.work_s > 0;
  if (interrupted && !in.on_notice && !(in.interval_s > 0)) {
    throw std::invalid_argument("monte_carlo: the checkpoint interval must be positive");
  }
  MonteCarloResult out;
  out.trials = in.trials;
  out.seed = in.seed;
  if (!interrupted) {
    out.analytic_run_time_s = in.work_s;
  } else if (in.on_notice) {
    out.analytic_run_time_s =
        notice_expected_time_s(in.work_s, in.checkpoint_s, in.restart_s, in.mtbi_s);
  } else {
    out.analytic_run_time_s =
        daly_expected_time_s(in.work_s, in.interval_s, in.checkpoint_s, in.restart_s, in.mtbi_s);
  }
  if (!std::isfinite(out.analytic_run_time_s)) {
    out.completed = false;
    return out;
  }
  Rng rng(in.seed);
  std::vector<double> times, costs, counts;
  times.reserve(static_cast<std::size_t>(in.trials));
  for (int i = 0; i < in.trials; ++i) {
    Trial tr;
    if (!interrupted) {
      tr.time_s = in.work_s;
    } else {
      tr = in.on_notice ? notice_trial(rng, in) : periodic_trial(rng, in);
    }
    if (!tr.finished) {
      out.completed = false;
      return out;
    }
    times.push_back(tr.time_s);
    costs.push_back(in.usd_per_hour * tr.time_s / kSecondsPerHour);
    counts.push_back(static_cast<double>(tr.interruptions));
  }
  out.run_time_s = spread(std::move(times));
  out.cost_usd = spread(std::move(costs));
  out.interruptions = spread(std::move(counts));
  return out;
}

MonteCarloInput monte_carlo_input(const RunCost& run, const CostEstimate& estimate, int trials,
                                  std::uint64_t seed) {
  MonteCarloInput in;
  in.work_s = estimate.work_s;
  in.interval_s = run.checkpoint.interval_s.value_or(0);
  in.checkpoint_s = run.checkpoint.write_s;
  in.restart_s = run.checkpoint.restart_s;
  in.mtbi_s = run.checkpoint.mtbi_s.value_or(0);
  in.on_notice = run.checkpoint.on_notice;
  in.usd_per_hour = run.usd_per_hour;
  in.trials = trials;
  in.seed = seed;
  return in;
}

}  // namespace cirrus::pricing
