#pragma once
// A seeded Monte-Carlo replay of interruptions, to show the spread around the analytic
// expectation of cost_model.hpp. Interruptions of the whole job arrive with exponential
// inter-arrival times (mean M, the job's mean time between interruptions, memoryless as Daly's
// model assumes). Each checkpoint interval of tau seconds of work costs C more to write; an
// interruption loses the work since the last completed checkpoint, then the job restarts (R
// seconds, which an interruption can also cut short, starting it again). In notice mode the job
// writes its checkpoint in the notice instead and loses only that time.
//
// Deterministic for a seed: one cirrus::Rng stream (SplitMix64) drives the trials in order.
// The mean agrees with Daly's E[T] when the work is a whole number of intervals; otherwise the
// replay's last interval is the shorter remainder, where the formula prorates a full one.
#include <cstdint>

#include "pricing/cost_model.hpp"

namespace cirrus::pricing {

struct MonteCarloInput {
  double work_s = 0;
  double interval_s = 0;  // work between checkpoints (periodic mode)
  double checkpoint_s = 0;
  double restart_s = 0;
  double mtbi_s = 0;  // <= 0: no interruptions
  bool on_notice = false;
  double usd_per_hour = 0;  // the cluster's
  int trials = 1000;
  std::uint64_t seed = 1;
};

// Summary of one quantity over the trials. Percentiles interpolate linearly between order
// statistics; std_error = stddev / sqrt(trials).
struct Spread {
  double mean = 0, stddev = 0, std_error = 0, p5 = 0, p50 = 0, p95 = 0, min = 0, max = 0;
};

struct MonteCarloResult {
  int trials = 0;
  std::uint64_t seed = 0;
  bool completed = true;  // false when a trial ran away (interruptions outpace progress)
  Spread run_time_s;
  Spread cost_usd;
  Spread interruptions;
  double analytic_run_time_s = 0;  // Daly's (or the notice model's) expectation, for comparison
};

// Throws std::invalid_argument for trials < 1, a non-positive interval in periodic mode, or
// negative times.
MonteCarloResult monte_carlo(const MonteCarloInput& input);

// The replay of one pricing model's run from the cost estimate.
MonteCarloInput monte_carlo_input(const RunCost& run, const CostEstimate& estimate, int trials,
                                  std::uint64_t seed);

}  // namespace cirrus::pricing
