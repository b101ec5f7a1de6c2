#include "models/serving/fleet_estimate.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "models/serving/bisect.hpp"

namespace cirrus::models {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

double cached_mean(const WorkloadShape& w) { return w.mean_input + w.mean_output / 2.0; }

// Prefill iterations of a prompt of `prompt` tokens beside n decodes: ceil(prompt / (B - n)).
std::int64_t prefill_iterations(double prompt, int budget, int n) {
  const double room = std::max(1, budget - n);
  return std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(prompt / room)));
}

// Iterations a request stays at batch n: its prefill chunks, then O - 1 decodes.
double stay_iterations(const WorkloadShape& w, const ReplicaShape& r, int n) {
  return static_cast<double>(
             prefill_iterations(w.mean_input, r.scheduler.max_num_batched_tokens, n)) +
         w.mean_output - 1.0;
}

// The prefill of an I_p-token prompt beside n decodes: chunks of B - n tokens, each after the
// ones before in the cache. Over 32 chunks, the first and last are timed and the rest taken on
// the line between them (a chunk's attention grows linearly with its cached tokens).
double prefill_seconds(IterationTimer& timer, const WorkloadShape& w, const ReplicaShape& r, int n,
                       std::int64_t prompt) {
  const std::int64_t room = std::max(1, r.scheduler.max_num_batched_tokens - n);
  const std::int64_t chunks = (prompt + room - 1) / room;
  auto chunk = [&](std::int64_t i) {
    BatchWork work;
    add_steady_work(work, w, n, 0);
    const std::int64_t done = i * room;
    work.add(std::min(room, prompt - done), done, true);
    return timer.seconds(work);
  };
  if (chunks <= 32) {
    double s = 0;
    for (std::int64_t i = 0; i < chunks; ++i) s += chunk(i);
    return s;
  }
  return static_cast<double>(chunks) * (chunk(0) + chunk(chunks - 1)) / 2.0;
}

double tail_fraction(int percentile) { return 1.0 - percentile / 100.0; }

// The standard normal's quantile at the percentiles a run reports.
double normal_quantile(int percentile) {
  if (percentile >= 99) return 2.3263;
  if (percentile >= 90) return 1.2816;
  return 0;
}

// The replica at batch n in the header's discrete steady state: the decode-only iteration, the
// time a mean prompt adds beside the n decodes (its chunk iterations less the decode-only
// iterations they stand in for), and the iterations a request stays.
struct Steady {
  double decode_s = 0;  // t_d(n)
  double prompt_s = 0;  // D(n)
  double stay = 0;      // k(n) + O - 1
  // The most requests/s the replica carries at this batch: n / (stay t_d + n D).
  double carried(int n) const { return n / (stay * decode_s + n * prompt_s); }
  // The mean iteration at `rate` requests/s: t_d / (1 - rate D).
  double iteration(double rate) const { return decode_s / (1.0 - rate * prompt_s); }
};

Steady steady_at(IterationTimer& timer, const WorkloadShape& w, const ReplicaShape& r, int n) {
  Steady s;
  s.decode_s = decode_only_seconds(timer, w, n);
  const std::int64_t prompt = std::max<std::int64_t>(1, std::llround(w.mean_input));
  const std::int64_t chunks =
      prefill_iterations(static_cast<double>(prompt), r.scheduler.max_num_batched_tokens, n);
  s.prompt_s = std::max(
      0.0, prefill_seconds(timer, w, r, n, prompt) - static_cast<double>(chunks) * s.decode_s);
  s.stay = stay_iterations(w, r, n);
  return s;
}

// TPOT at the percentile (the header's formula): the decode-only iteration, plus the prompts
// that share the request's decode life, a compound Poisson sum at its percentile (each prompt
// adding D in proportion to its length).
double tpot_percentile(const WorkloadShape& w, const Steady& s, double t, double rate,
                       int percentile) {
  const double decodes_per_request = std::max(1.0, w.mean_output - 1.0);
  const double life = decodes_per_request * t;
  const double spread = 1.0 + w.input_cv2().value_or(0.0);  // E[I^2] / I^2
  const double mean = rate * life * s.prompt_s;
  const double sd = s.prompt_s * std::sqrt(rate * life * spread);
  return s.decode_s + (mean + normal_quantile(percentile) * sd) / decodes_per_request;
}

}  // namespace

void add_steady_work(BatchWork& work, const WorkloadShape& w, int n, std::int64_t prompt_tokens) {
  if (n > 0) {
    work.tokens += n;
    work.seqs += n;
    work.single += n;
    work.single_cached += std::llround(n * cached_mean(w));
  }
  const std::int64_t whole = std::max<std::int64_t>(1, std::llround(w.mean_input));
  for (std::int64_t left = prompt_tokens; left > 0; left -= whole) {
    work.add(std::min(left, whole), 0, true);
  }
}

double mm1_wait_percentile(double rho, double service_s, int percentile) {
  const double tail = tail_fraction(percentile);
  if (rho >= 1) return kInf;
  if (rho <= tail) return 0;
  return service_s * std::log(rho / tail) / (1.0 - rho);
}

BatchLimit batch_limit(const WorkloadShape& w, const ReplicaShape& r,
                       double budget_tokens_per_seq) {
  const SchedulerConfig& s = r.scheduler;
  const double per_seq_blocks = std::ceil(cached_mean(w) / s.block_size);
  const auto kv_blocks = static_cast<double>(whole_blocks(r));
  const auto by_kv = static_cast<std::int64_t>(std::floor(kv_blocks / per_seq_blocks));
  const auto by_budget =
      static_cast<std::int64_t>(std::floor(s.max_num_batched_tokens / budget_tokens_per_seq));
  BatchLimit out{s.max_num_seqs, "max_num_seqs"};
  if (by_kv < out.batch) out = {static_cast<int>(by_kv), "KV cache"};
  if (by_budget < out.batch) out = {static_cast<int>(by_budget), "token budget"};
  out.batch = std::max(1, out.batch);
  return out;
}

BatchLimit largest_batch(const WorkloadShape& w, const ReplicaShape& r) {
  return batch_limit(w, r, 1.0 + w.mean_input / w.mean_output);
}

double decode_only_seconds(IterationTimer& timer, const WorkloadShape& w, int n) {
  BatchWork work;
  add_steady_work(work, w, n, 0);
  return timer.seconds(work);
}

double replica_capacity(IterationTimer& timer, const WorkloadShape& w, const ReplicaShape& r) {
  const int n = largest_batch(w, r).batch;
  return steady_at(timer, w, r, n).carried(n);
}

double mmc_wait_percentile(int c, double rate, double service_s, int percentile) {
  const double a = rate * service_s;  // offered load, Erlangs
  if (a >= c) return kInf;
  double b = 1.0;  // Erlang B by recursion: B(k) = a B(k-1) / (k + a B(k-1))
  for (int k = 1; k <= c; ++k) b = a * b / (k + a * b);
  const double rho = a / c;
  const double wait_prob = b / (1.0 - rho * (1.0 - b));
  const double tail = tail_fraction(percentile);
  if (wait_prob <= tail) return 0;
  return std::log(wait_prob / tail) / (c / service_s - rate);
}

double unloaded_ttft(IterationTimer& timer, std::int64_t prompt, int budget) {
  const std::int64_t room = std::max(1, budget);
  double s = 0;
  for (std::int64_t done = 0; done < prompt; done += room) {
    BatchWork work;
    work.add(std::min(room, prompt - done), done, true);
    s += timer.seconds(work);
  }
  return s;
}

double unloaded_tpot(IterationTimer& timer, std::int64_t context) {
  BatchWork work;
  work.add(1, context, false);
  return timer.seconds(work);
}

FleetEstimate estimate_fleet(IterationTimer& timer, const WorkloadShape& w, const ReplicaShape& r,
                             int replicas, int percentile) {
  FleetEstimate e;
  e.replicas = replicas;
  const int largest = largest_batch(w, r).batch;
  const double rate = w.rate_per_s / replicas;
  const Steady at_largest = steady_at(timer, w, r, largest);
  if (at_largest.carried(largest) < rate) {
    e.overloaded = true;
    e.batch = largest;
    e.utilisation = 1;
    e.iteration_s = at_largest.decode_s;
    e.prefill_share = 1;
    e.ttft_s = e.tpot_s = kInf;
    return e;
  }
  // The smallest batch that carries the load.
  const int n = smallest_with(1, largest,
                              [&](int k) { return steady_at(timer, w, r, k).carried(k) >= rate; });
  const Steady s = steady_at(timer, w, r, n);
  const int budget = r.scheduler.max_num_batched_tokens;
  e.batch = n;
  e.utilisation = static_cast<double>(n) / largest;
  e.iteration_s = s.iteration(rate);
  e.prefill_share = std::clamp(rate * s.prompt_s, 0.0, 1.0);
  e.tpot_s = tpot_percentile(w, s, e.iteration_s, rate, percentile);
  const double stay_s = s.stay * e.iteration_s;
  // The prefill channel: prompts of I tokens served B - n tokens per iteration, M/M/1.
  const double prompt_s = w.mean_input / std::max(1, budget - n) * e.iteration_s;
  const double prefill_wait = mm1_wait_percentile(rate * prompt_s, prompt_s, percentile);
  e.ttft_s = e.iteration_s + prefill_seconds(timer, w, r, n, w.input_at_percentile) +
             mmc_wait_percentile(largest, rate, stay_s, percentile) + prefill_wait;
  return e;
}

bool meets(const FleetEstimate& e, const Slo& slo) {
  if (e.overloaded) return false;
  if (slo.ttft_s && !(e.ttft_s <= *slo.ttft_s)) return false;
  if (slo.tpot_s && !(e.tpot_s <= *slo.tpot_s)) return false;
  return true;
}

std::optional<FleetEstimate> fewest_replicas(IterationTimer& timer, const WorkloadShape& w,
                                             const ReplicaShape& r, const Slo& slo, int percentile,
                                             int max_replicas, FleetEstimate* at_max) {
  FleetEstimate top = estimate_fleet(timer, w, r, max_replicas, percentile);
  if (at_max != nullptr) *at_max = top;
  if (!meets(top, slo)) return std::nullopt;
  const int fewest = smallest_with(1, max_replicas, [&](int n) {
    return meets(estimate_fleet(timer, w, r, n, percentile), slo);
  });
  return estimate_fleet(timer, w, r, fewest, percentile);
}

}  // namespace cirrus::models
