#pragma once
// Where the ranks of a training step sit and which of them talk to each other: the one rank
// order of the step, Megatron-Core's, tensor parallelism fastest, then context, data and
// pipeline parallelism,
//   rank = tp_i + tp x (cp_i + cp x (dp_i + dp x pp_i)),
// with expert parallelism folded into the data-parallel positions j = cp_i + cp x dp_i as
// j = e + ep x k (Megatron-Core's tp-cp-ep-dp order, models/workload/moe_traffic.hpp): an
// expert-parallel group is e = 0..ep-1, an expert-data-parallel group k = 0..dp x cp / ep - 1.
// Ranks fill the nodes in order, gpus_per_node to a node.
//
// The flow model lowers collectives over these ranks (flow_comm.hpp); the closed forms
// price them from the groups' shapes (step_costs.hpp). One layout keeps the two on the same
// ranks.
#include <cstdint>
#include <vector>

#include "models/step/step_input.hpp"
#include "models/workload/layer_program.hpp"
#include "models/workload/strategy.hpp"

namespace cirrus::models {

// The communicators of a step. CommGroup names those a layer issues (TP, CP, EP); the others
// carry the step's parameters and gradients:
//   kDp   the ZeRO shard group: dp_shard data-parallel positions under hybrid sharding (HSDP),
//         else all dp x cp ranks (dense parameters are replicated over dp x cp);
//   kEdp  the expert-data-parallel group, the dp x cp / ep ranks holding the same experts;
//   kRep  HSDP's replica group, the ranks holding the same shard across shard groups
//         (dp x cp / dp_shard; a single rank without HSDP).
// The values are part of the flow model's lowering cache key (flow_comm.cpp): append only.
enum class RankGroup : std::uint8_t { kTp, kCp, kEp, kDp, kEdp, kRep };
RankGroup rank_group(CommGroup g);

// A group's size and the rank distance between its consecutive members.
struct GroupShape {
  int size = 1;
  long stride = 1;
  // Members of a group that share a node of `gpus_per_node` GPUs, taking the group to start at
  // a node's first GPU (every position of a strided group has the same pattern).
  int ranks_per_node(int gpus_per_node) const;
};

class RankLayout {
 public:
  // A valid strategy (models/workload/validity.hpp): ep and dp_shard divide dp x cp.
  RankLayout(const Strategy& s, int gpus_per_node);

  int rank(int tp_i, int cp_i, int dp_i, int pp_i) const;
  // Ranks per pipeline stage: tp x cp x dp.
  long stage_size() const { return stage_size_; }
  // The stage's ranks, ascending: representative(stage) .. + stage_size() - 1.
  std::vector<int> stage_ranks(int stage) const;
  // The rank simulated for a stage's compute: tp_i = cp_i = dp_i = 0. Ranks that differ only
  // in tensor, context and data position compute alike.
  int representative(int stage) const { return static_cast<int>(stage * stage_size_); }
  int stage_of(int rank) const { return static_cast<int>(rank / stage_size_); }
  // The ranks a dense parameter is replicated over: dp x cp (gradients reduce over both).
  int data_parallel_size() const { return dp_ * cp_; }

  GroupShape shape(RankGroup g) const;
  int ranks_per_node(RankGroup g) const { return shape(g).ranks_per_node(gpus_per_node_); }
  // The ranks of the group of kind `g` that holds `rank`, ascending.
  std::vector<int> group(RankGroup g, int rank) const;
  // Every group of kind `g` in `stage` (they partition its ranks), ordered by first rank.
  std::vector<std::vector<int>> stage_groups(RankGroup g, int stage) const;

  // Whether the representatives of two stages share a node.
  bool stages_share_node(int a, int b) const;
  int gpus_per_node() const { return gpus_per_node_; }

 private:
  int tp_, cp_, dp_, ep_, shard_;
  long stage_size_;
  int gpus_per_node_;
};

inline RankLayout rank_layout(const StepInput& in) {
  return RankLayout(in.strategy, in.cluster.node.gpus);
}

}  // namespace cirrus::models
