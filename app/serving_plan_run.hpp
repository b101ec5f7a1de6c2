#pragma once
// `cirrus plan` on a scenario with a `serving` block: the fleet that serves the scenario's load
// within its SLOs (serving.slo, at serving.plan.slo_percentile) at the lowest cost per million
// tokens or the most goodput per GPU. The search and its closed-form ranking are
// plan/serving_search.hpp; the best `top` candidates are then re-simulated request by request,
// through the same code as `cirrus serve` (app/serving_fleet.hpp), with `seeds` seeds (seed,
// seed + 1, ...). A candidate meets the SLOs only when every seed's run does; one that fails at
// the estimated replica count gets more replicas (x 1.25, at least one more, up to
// max_replicas, at most kMaxRaises times) and is simulated again; a disaggregated candidate
// (serving.plan.disaggregation) raises the pool whose SLO a seed missed: TTFT the prefill pool,
// TPOT the decode pool. Once a count meets, the fewest that meets is sought by bisection
// between it and the most that failed (or, never failed, the most the estimated saturation
// throughput says must: ceil(load / capacity) - 1), at most kMaxTrims more runs per pool: the
// estimate can overshoot as well as undershoot.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "app/job.hpp"
#include "plan/serving_search.hpp"

namespace cirrus::app {

inline constexpr int kMaxRaises = 8;
inline constexpr int kMaxTrims = 4;

// One re-simulated candidate.
struct ServingPlanRow {
  std::size_t candidate = 0;                 // index into ServingPlan::search.candidates
  int replicas = 0;                          // simulated (the estimate's, raised when it failed)
  int decode_replicas = 0;                   // a disaggregated fleet: its decode pool (replicas:
                                             // its prefill pool)
  bool meets = false;                        // every seed met every SLO
  double ttft_s = 0, tpot_s = 0;             // the percentile, worst over the seeds
  double goodput_per_s = 0;                  // requests/s meeting the SLOs, mean over the seeds
  double little_error = 0;                   // Little's law, worst relative error over the seeds
  std::uint64_t worst_seed = 0;              // the seed of the worst TTFT / TPOT against its SLO
  std::optional<pricing::ServingCost> cost;  // over every seed's run together
  // "4", or "3 + 5" (prefill + decode) for a disaggregated fleet.
  std::string replicas_text(const plan::ServingCandidate& c) const {
    return c.disagg ? std::to_string(replicas) + " + " + std::to_string(decode_replicas)
                    : std::to_string(replicas);
  }
  int gpus(const plan::ServingCandidate& c) const {
    if (c.disagg) return replicas * c.tp + decode_replicas * c.disagg->decode_tp;
    return replicas * c.tp * c.pp;
  }
};

struct ServingPlan {
  std::string scenario_name, model_name, arrivals;
  models::ServingPlanSpec spec;  // lists filled
  models::Slo slo;
  models::WorkloadShape workload;
  std::size_t requests = 0;
  std::uint64_t seed = 0;
  std::vector<plan::InstanceOption> instances;
  std::vector<std::pair<std::string, std::string>> skipped;  // instances left out, and why
  plan::ServingSearch search;
  std::vector<ServingPlanRow> rows;  // meeting first, by the objective; then the others
  std::optional<std::size_t> best;   // index into rows
  std::string no_plan;               // when there is no best: one line, the binding SLO named
  std::vector<std::string> assumptions;
};

// `job` resolved with resolve_search. Throws InputError for a scenario without SLOs, a
// tp no instance can take, or requests that cannot be read.
ServingPlan run_serving_plan(const Job& job, int threads);

}  // namespace cirrus::app
