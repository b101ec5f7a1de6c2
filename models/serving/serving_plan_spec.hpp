#pragma once
// The `serving.plan` object (docs/CONTRACT.md, "Serving plans (added)"): what `cirrus plan`
// searches for a scenario with a `serving` block. Instances come from `cluster.instance` (one,
// a list or "auto", as the training planner takes them); the SLOs from `serving.slo`; the load
// from `serving.arrivals`. Plain data, filled by the scenario loader.
#include <optional>
#include <vector>

#include "common/enum_names.hpp"
#include "models/serving/serving_modes.hpp"

namespace cirrus::models {

// What the plan ranks by, among the configurations that meet the SLOs:
//   cost-per-million-tokens: the fleet's price per million input and output tokens;
//   goodput: requests per second meeting the SLOs per GPU (price left out).
enum class ServingObjective { kCostPerMillionTokens, kGoodput };
inline constexpr EnumNames<ServingObjective, 2> kServingObjectiveNames = {
    {{ServingObjective::kCostPerMillionTokens, "cost-per-million-tokens"},
     {ServingObjective::kGoodput, "goodput"}}};
inline const char* to_string(ServingObjective o) { return name_in(kServingObjectiveNames, o); }

// `serving.plan.disaggregation`: disaggregated fleets searched beside the colocated ones, every
// prefill tp x decode tp, each pool sized for its own SLO (disagg_estimate.hpp), so the
// prefill:decode ratio comes from the load.
struct DisaggPlanSpec {
  std::vector<int> prefill_tp;  // empty: the plan's tp list
  std::vector<int> decode_tp;   // empty: the plan's tp list
  KvTransferLink transfer = KvTransferLink::kNetwork;
};

struct ServingPlanSpec {
  ServingObjective objective = ServingObjective::kCostPerMillionTokens;
  // The values searched; a list left out is the serving block's own value. tp_auto: every tp
  // the node and the model take (divisors of the node's GPUs that vLLM accepts).
  std::vector<int> tp;
  bool tp_auto = false;
  std::vector<int> pp;  // pipeline stages per replica (models/serving/kv_cache.hpp)
  std::vector<int> max_num_seqs;
  std::vector<int> max_num_batched_tokens;
  std::optional<DisaggPlanSpec> disaggregation;
  int max_replicas = 256;   // the replica count is derived from the load, up to this (per pool)
  int slo_percentile = 90;  // 50, 90 or 99: the percentile of TTFT and TPOT held to the SLO
  int seeds = 3;            // re-simulations per candidate: seed, seed + 1, ...
  int top = 8;              // candidates re-simulated and listed
};

}  // namespace cirrus::models
