#pragma once
// The open choices of a scenario, expanded into candidate lists. A list in the scenario is
// taken as given; "auto" becomes every value that can be valid for this model and node:
//   nodes: powers of two from 1 to 1,024;     tp: divisors of the node's GPUs that divide heads;
//   pp: divisors of the layer count;           cp: 1, 2, 4, 8 dividing the sequence;
//   micro_batch: 1, 2, 4, 8;                   schedule: gpipe, 1f1b, interleaved;
//   virtual_stages: 2, 3, 4 (interleaved only); sequence_parallel: false, true;
//   zero: 0-3;                                 recompute: none, selective, full;
//   offload.params, offload.optimizer: gpu, host, nvme (the other offload fields are pinned).
// dp is derived (GPUs / (tp pp cp)) unless the scenario lists it.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/compute/profile.hpp"
#include "models/hardware/hardware.hpp"
#include "models/workload/strategy.hpp"
#include "scenarios/scenario.hpp"

namespace cirrus::plan {

// One instance type the search may use, resolved by the caller (catalog or node preset).
struct InstanceOption {
  std::string id;  // "aws:p5.48xlarge", or a node preset id when no instance was given
  models::NodeSpec node;
  // USD per instance-hour under the scenario's pricing model; nullopt when not offered there
  // or unknown (cost-minimising plans then skip the instance and say why).
  std::optional<double> usd_per_hour;
  std::string price_note;  // source and date of the price, for the report
  // "<provider> <retrieved>" of the price, as `simulate`'s cost.catalog; empty without a catalog
  std::string catalog;
  // The scenario's calibration profile when it was measured on this instance's GPU; null
  // otherwise (that instance's figures are then the datasheet's, and its results say so).
  std::shared_ptr<const models::ProfileLookup> profile;
};

// `"nodes": "auto"` tries the powers of two from 1 to this many nodes.
inline constexpr int kAutoNodesMax = 1024;

struct SearchSpace {
  std::vector<InstanceOption> instances;
  std::vector<int> nodes;
  bool nodes_auto = false;  // nodes came from "auto" (1, 2, 4, ..., kAutoNodesMax)
  std::vector<int> tp, pp, dp, cp, ep, micro_batch, virtual_stages, zero;
  std::vector<models::Schedule> schedule;
  std::vector<bool> sequence_parallel;
  std::vector<models::Recompute> recompute;
  bool dp_derived = true;
  models::Overlap overlap;
  models::AttentionKernel attention = models::AttentionKernel::kFlash;
  int dp_shard = 0, recompute_every = 2;  // pinned (strategy.dp_shard, recompute_every)
  models::Offload offload;                // strategy.offload's pinned fields (prefetch, fused_comm)
  std::vector<models::Tier> offload_params, offload_optimizer;  // the placements searched

  // Number of raw combinations: the product of every list's size (dp counted when listed),
  // virtual stages counted for the interleaved schedule only (when 1 is on their list).
  double raw_combinations() const;
  // Whether the search visits (schedule, virtual stages): virtual stages mean nothing to a
  // non-interleaved schedule, which is visited once, as 1, when 1 is on the list.
  bool visits(models::Schedule schedule, int virtual_stages) const;
};

// Expands the scenario's choices. Throws InputError naming the field when a list is empty or
// nothing can be built (no instance and no node).
SearchSpace build_search_space(const scenarios::Scenario& s, std::vector<InstanceOption> instances);

}  // namespace cirrus::plan
