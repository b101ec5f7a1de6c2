#pragma once
// The planner: enumerates a search space, prunes invalid and out-of-memory configurations
// (counting each reason), ranks the rest with the analytic step model, re-simulates the best
// K with the engine, and picks the best under the objective's limits, the Pareto frontier of
// run time and cost, and the top K. Work is spread over threads by blocks merged in a fixed
// order, so the result is identical for every thread count.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "models/step/step_input.hpp"
#include "models/step/step_result.hpp"
#include "plan/pareto.hpp"
#include "plan/search_space.hpp"

namespace cirrus::plan {

// What a run costs: wall time (spot interruptions may lengthen it) and dollars.
struct RunEconomics {
  double run_seconds = 0;
  std::optional<double> usd_total;
  std::optional<double> usd_per_hour;  // the whole cluster
  // A capacity product's terms (pricing/capacity_products.hpp): the term the run breaks (the
  // candidate is then pruned with it as the reason), or how it is billed: hours per instance
  // (a block's length, or flex-start's run hours) and the instance-hours paid and unused.
  std::string unfit;
  std::string billing;
  std::optional<double> billed_hours;
  std::optional<double> unused_hours;
};

// Prices a run; the default multiplies the instance's hourly price by nodes and time.
using EconomicsFn = std::function<RunEconomics(const InstanceOption& instance, int nodes,
                                               double step_seconds, double steps)>;

using ProgressFn = std::function<void(const std::string& stage, double fraction)>;

struct PlanOptions {
  int threads = 1;
  int refine = 8;  // candidates re-simulated with the engine
  int top = 10;
  EconomicsFn economics;  // empty: the default
  // Called with the stage ("searching", "refining") and its fraction done; may be empty.
  // Called from worker threads, one call at a time.
  ProgressFn progress;
  // Also list every pruned combination with its reason (PlanResult::pruned_candidates), for
  // reports' CSV. Off by default: it costs memory, never changes the ranking or the output.
  bool keep_pruned = false;
};

struct Candidate {
  std::uint32_t instance = 0;  // index into SearchSpace::instances
  int nodes = 0;
  models::Strategy strategy;
  double step_seconds = 0;
  RunEconomics economics;
  bool refined = false;  // step time from the engine rather than the analytic model
  bool meets_limits = false;
};

// A combination pruned before it was priced, and why.
struct PrunedCandidate {
  std::uint32_t instance = 0;  // index into SearchSpace::instances
  int nodes = 0;
  models::Strategy strategy;  // dp 0 when tp x pp x cp does not divide the GPUs
  std::uint32_t reason = 0;   // index into PlanResult::pruned_reasons
};

struct PlanResult {
  double raw_combinations = 0;
  std::size_t evaluated = 0;                  // priced by the analytic model
  std::size_t infeasible = 0;                 // pruned, all reasons
  std::map<std::string, std::size_t> pruned;  // by reason, ordered by name
  std::size_t refined = 0;
  std::vector<Candidate> candidates;  // every feasible candidate, in enumeration order
  std::optional<std::size_t> best;    // index into candidates
  std::string no_best_reason;         // when no candidate meets the limits: which binds
  std::vector<std::size_t> pareto;    // indices, by run time
  std::vector<std::size_t> top;       // indices, by the objective
  // Of each top row, the candidates it stands for: same instance, nodes and parallel degrees,
  // the same step time and cost, differing only in settings that changed neither (recompute
  // under flash attention, gpipe vs 1F1B at pp 1, ZeRO-1 vs 2, ...): "also: ..." in the table.
  std::map<std::size_t, std::vector<std::size_t>> also;
  // The best of each instance type and of each cloud (the id's provider prefix), by the
  // objective, within the limits when any of that group is: indices in instance order and in
  // provider name order.
  std::vector<std::size_t> best_per_instance;
  std::vector<std::size_t> best_per_cloud;
  double steps = 0;  // optimizer steps of the run (1 without a token count)
  // Engine results of the refined candidates, by candidate index.
  std::map<std::size_t, models::StepResult> refined_results;
  // With PlanOptions::keep_pruned: every pruned combination, in enumeration order, and the
  // reasons they point to (the keys of `pruned`, in the same order).
  std::vector<PrunedCandidate> pruned_candidates;
  std::vector<std::string> pruned_reasons;
};

// Throws what an evaluation throws (PlanOptions::economics or progress, a topology the engine
// cannot build) once every thread has stopped; when several fail, which error comes out does
// not depend on the thread count.
PlanResult run_plan(const scenarios::Scenario& s, const SearchSpace& space,
                    const PlanOptions& options);

// The StepInput of a candidate (for reporting and re-simulation).
models::StepInput candidate_input(const scenarios::Scenario& s, const SearchSpace& space,
                                  const Candidate& c);

}  // namespace cirrus::plan
