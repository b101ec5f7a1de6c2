#pragma once
// The search of a serving plan (`cirrus plan` on a scenario with a `serving` block): every
// instance x tp x pp x max_num_seqs x max_num_batched_tokens (and, with
// serving.plan.disaggregation, every instance x prefill tp x decode tp x max_num_seqs x
// max_num_batched_tokens as a disaggregated fleet, models/serving/disagg_estimate.hpp), pruned
// by vLLM's tp rule and by memory (no KV block, the largest request not fitting, a prompt above
// the budget without chunked prefill) with each reason counted, then each survivor sized and priced
// by the closed-form estimate (models/serving/fleet_estimate.hpp): the fewest replicas whose
// estimated percentile TTFT and TPOT meet the SLOs, and their cost per million tokens. Candidates
// are evaluated in parallel into indexed slots, so the result is the same for every thread count.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "models/serving/disagg_estimate.hpp"
#include "models/serving/fleet_estimate.hpp"
#include "models/serving/kv_cache.hpp"
#include "models/serving/serving_plan_spec.hpp"
#include "plan/search_space.hpp"
#include "pricing/serving_cost.hpp"

namespace cirrus::plan {

struct ServingSearchInput {
  models::TransformerConfig model;
  models::ServingNumerics numerics;                       // dtype, quantized weights, KV cache type
  bool expert_parallel = false;                           // serving.expert_parallel
  std::vector<InstanceOption> instances;                  // with their profiles
  std::vector<const pricing::Instance*> catalog_entries;  // parallel; null: no price
  models::ServingPlanSpec plan;       // lists filled (the serving block's values where left out)
  models::SchedulerConfig scheduler;  // the block's other knobs (block size, utilisation, ...)
  models::WorkloadShape workload;
  std::int64_t largest_cached = 0;             // the largest request's input + output - 1
  std::int64_t largest_input = 0;              // the longest prompt
  double input_tokens = 0, output_tokens = 0;  // of the whole request stream (for costs)
  models::Slo slo;
  int threads = 1;
};

// What a disaggregated candidate adds (serving.plan.disaggregation): its decode pool, its KV
// link and each pool's estimate. The candidate's tp is the prefill pool's, its kv_blocks and
// limit the decode pool's, its estimate the two pools' summed (replicas), TTFT the prefill
// pool's and TPOT the decode pool's.
struct DisaggCandidate {
  int decode_tp = 1;
  models::KvTransferLink transfer = models::KvTransferLink::kNetwork;
  models::KvLinkFigures link;
  double kv_bytes_per_token = 0;
  std::int64_t prefill_kv_blocks = 0;  // per prefill replica
  double prefill_capacity_per_s = 0;   // one replica's saturation throughput, requests/s
  double decode_capacity_per_s = 0;
  models::DisaggEstimate estimate;  // at the fewest replicas that meet, else at max_replicas
};

struct ServingCandidate {
  std::uint32_t instance = 0;  // index into ServingSearchInput::instances
  int tp = 1;
  int pp = 1;  // pipeline stages: a replica is pp virtual engines (kv_cache.hpp)
  models::SchedulerConfig scheduler;
  std::int64_t kv_blocks = 0;
  models::BatchLimit limit;
  double capacity_per_s = 0;  // one replica's saturation throughput, requests/s
  double unloaded_ttft_s = 0, unloaded_tpot_s = 0;  // the percentile prompt, idle replica
  bool meets = false;              // the estimate meets the SLOs within max_replicas
  models::FleetEstimate estimate;  // at the fewest replicas that meet, else at max_replicas
  std::optional<pricing::ServingCost> cost;  // of `estimate.replicas` over the request window
  std::optional<DisaggCandidate> disagg;     // a disaggregated fleet
  int gpus() const {
    if (disagg) {
      return disagg->estimate.prefill.replicas * tp +
             disagg->estimate.decode.replicas * disagg->decode_tp;
    }
    return estimate.replicas * tp * pp;
  }
};

struct ServingSearch {
  double combinations = 0;
  std::map<std::string, std::size_t> pruned;  // by reason
  std::size_t infeasible = 0;                 // pruned, all reasons
  std::vector<ServingCandidate> candidates;   // estimated, in enumeration order
  std::vector<std::size_t> ranked;            // meeting the SLOs by estimate, best first
  std::vector<std::size_t> pareto;  // of `ranked`: cost per million tokens vs TTFT, by TTFT
};

// The candidates' order under the objective: cheaper per million tokens (a priced candidate
// before an unpriced one), or more goodput per GPU (the load over the fleet's GPUs); then fewer
// GPUs, then enumeration order.
bool ranks_before(models::ServingObjective objective, double rate_per_s, const ServingCandidate& a,
                  std::size_t ia, const ServingCandidate& b, std::size_t ib);

ServingSearch search_serving(const ServingSearchInput& in);

}  // namespace cirrus::plan
