#pragma once
// What a fleet run measured (fleet_sim.hpp), per request and over the run:
//   TTFT  = first token - arrival
//   TPOT  = (finish - first token) / (output tokens - 1), for requests with more than one
//   E2E   = finish - arrival
//   queueing delay = first scheduled - arrival
// Percentiles by nearest rank: the p-th of n sorted values is the ceil(p n / 100)-th (1-based),
// always a value that occurred. Rates are over the makespan, from the first arrival to the last
// finish. Goodput counts the requests that meet every SLO given (TTFT, and TPOT where it
// applies). Little's law, L = lambda W, is checked on every run: L is the time-integrated
// number of requests in the system over the makespan (integrated by the simulation as it goes),
// lambda the arrivals over the makespan and W the mean E2E (from the requests' own times).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "models/serving/fleet_sim.hpp"
#include "models/serving/request.hpp"
#include "models/serving/serving_spec.hpp"

namespace cirrus::models {

struct LatencyStats {
  std::size_t count = 0;                                // requests the statistic applies to
  double mean = 0, p50 = 0, p90 = 0, p99 = 0, max = 0;  // seconds
};

// Nearest-rank percentile of `sorted` (ascending, non-empty), p in (0, 100].
double nearest_rank(const std::vector<double>& sorted, double p);
// The statistics of `values` (sorted in place); all zero when empty.
LatencyStats latency_stats(std::vector<double>& values);

struct LittleCheck {
  double mean_in_system = 0;  // L
  double arrival_rate = 0;    // lambda, per second
  double mean_e2e_s = 0;      // W
  double relative_error = 0;  // |L - lambda W| / (lambda W)
};

struct ServingMetrics {
  std::size_t requests = 0;
  std::size_t completed = 0;
  double makespan_s = 0;
  LatencyStats ttft, tpot, e2e, queueing;
  double requests_per_s = 0;
  double input_tokens_per_s = 0;
  double output_tokens_per_s = 0;
  double input_tokens = 0, output_tokens = 0;
  // SLOs: the fraction of requests that meet them and those requests per second; empty when
  // the scenario sets no SLO.
  std::optional<double> slo_attained;
  std::optional<double> goodput_per_s;
  std::int64_t kv_blocks = 0;       // per replica
  std::int64_t kv_peak_blocks = 0;  // the most any replica held at once
  std::int64_t preemptions = 0;     // by recompute and by swap
  std::int64_t swaps = 0;           // of them, by swap
  std::int64_t swap_ins = 0;
  double swap_s = 0;  // copy time added to iterations, all replicas
  std::int64_t iterations = 0;
  // Prefix caching (when on): prompt tokens found in a replica's cache at their request's first
  // admission, over all prompt tokens (every request completes); cached blocks evicted.
  bool prefix_caching = false;
  double prefix_hit_tokens = 0;
  double prefix_hit_rate = 0;
  std::int64_t prefix_evictions = 0;
  double busy_fraction = 0;  // replica busy time / (replicas x makespan)
  // The share of busy time spent on prefill tokens (each iteration's time split by its tokens):
  // how the fleet's cost splits between input and output tokens.
  double prefill_share = 0;
  LittleCheck little;
};

ServingMetrics serving_metrics(const std::vector<Request>& requests, const FleetOutcome& outcome,
                               const Slo& slo, std::int64_t kv_blocks);

}  // namespace cirrus::models
