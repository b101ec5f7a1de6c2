#pragma once
// What one training step is made of, priced but not yet scheduled: the merged kernel runs and
// collectives of a layer's forward, backward and recomputation, of the embedding and of the
// output layer; where each parallel group sits on the nodes; what its collectives cost on an
// idle cluster. The step builder schedules these on the engine; the analytic model composes
// them in closed form. Sharing them keeps the two consistent.
#include <algorithm>
#include <vector>

#include "models/network/collectives.hpp"
#include "models/compute/compute_model.hpp"
#include "models/workload/layer_program.hpp"
#include "models/step/step_input.hpp"

namespace cirrus::models {

// A program with consecutive kernels merged: one entry per run of compute, one per collective.
struct Segment {
  bool is_comm = false;
  double seconds = 0;  // compute
  CollectiveKind collective = CollectiveKind::kAllReduce;
  double bytes = 0;
  CommGroup group = CommGroup::kTp;
  bool overlap = false;  // LayerItem::overlap
};

std::vector<Segment> segments_of(const std::vector<LayerItem>& items, const ComputeModel& cm);

struct StepPrograms {
  std::vector<Segment> fwd, bwd, rec;           // one transformer layer, one micro-batch
  std::vector<Segment> moe_fwd, moe_bwd, moe_rec;  // one MoE layer (empty for dense models)
  std::vector<Segment> emb_f, emb_b;            // first stage
  std::vector<Segment> head_f, head_b;          // last stage
};
StepPrograms step_programs(const StepInput& in, const ComputeModel& cm);

// Parameters of one transformer layer (all TP shards together).
double layer_parameters(const TransformerConfig& m);

// Parameters of transformer layer `layer` held by one GPU, after TP sharding (and EP sharding
// of the experts): `dense` is replicated across the data-parallel group (dp x cp ranks),
// `expert` across the expert-data-parallel group (dp x cp / ep ranks, stride tp x ep). ZeRO
// shards and gradient reductions run over those groups.
struct LayerParams {
  double dense = 0;
  double expert = 0;
};
LayerParams layer_params_per_gpu(const StepInput& in, int layer);

// A collective group's size and rank stride in Megatron-Core's order tp-cp-dp-pp, with
// expert parallelism folded into cp x dp (moe_traffic.hpp): TP size tp stride 1, CP size cp
// stride tp, EP size ep stride tp.
struct GroupShape {
  int size = 1;
  long stride = 1;
};
GroupShape group_shape(const Strategy& s, CommGroup group);
// The expert-data-parallel group: dp x cp / ep ranks, stride tp x ep.
inline GroupShape expert_dp_group(const Strategy& s) {
  return {s.dp * s.cp / std::max(1, s.ep), static_cast<long>(s.tp) * std::max(1, s.ep)};
}

// Micro-batches per step: global_batch / (dp x micro_batch).
int micro_batches(const StepInput& in);

// Each GPU's share of its node's NIC bandwidth, bytes/s per direction.
double nic_share(const NodeSpec& node);

// Ranks of a group (Megatron order tp < cp < dp < pp) that share a node, given the group's
// rank stride.
int ranks_per_node(long stride, int size, int gpus_per_node);

// The data-parallel group of a stage: dp x cp ranks (ZeRO shards and gradients are reduced over
// both), stride tp.
inline int dp_group_size(const Strategy& s) { return s.dp * s.cp; }

// Hybrid sharding (Strategy::dp_shard): the ZeRO shard group, dp_shard consecutive data-parallel
// positions (stride tp), and the replica group of the ranks holding the same shard across
// shard groups (dp x cp / dp_shard ranks, stride tp x dp_shard). Without HSDP the shard group
// is the whole data-parallel group and the replica group a single rank.
inline GroupShape shard_group(const Strategy& s) { return {s.shard_group(), s.tp}; }
inline GroupShape replica_group(const Strategy& s) {
  return {dp_group_size(s) / std::max(1, s.shard_group()),
          static_cast<long>(s.tp) * s.shard_group()};
}

// The transformer layers of model chunk `chunk` of pipeline stage `stage` (global chunk index
// chunk x pp + stage): consecutive layers [first, first + count). Layers that do not divide
// evenly go one each to the first chunks (as models/workload/memory.hpp's stage_layers counts them), so
// stage 0 holds the most.
struct LayerRange {
  int first = 0;
  int count = 0;
};
LayerRange chunk_layers(const TransformerConfig& m, const Strategy& s, int stage, int chunk);
// Model chunks per stage: virtual_stages under the interleaved schedule, else 1.
int chunks_per_stage(const Strategy& s);
// Layers held by stage `stage` (all its chunks).
int stage_layer_count(const TransformerConfig& m, const Strategy& s, int stage);

// Memory-bound kernels of the step's tail besides the optimizer, on `held` parameters (the
// optimizer's shard) of a stage of `stage_params` parameters: the gradient-norm pass and the
// clipping scale (read the fp32 gradients once for the norm, read and write them to scale:
// 12 bytes per parameter; Megatron-LM, torchtitan and Composer clip at 1.0 by default), the
// zeroing of an unsharded gradient buffer (ZeRO < 2: Megatron's contiguous fp32 grad buffer is
// memset every step), and under fp8 with resident weights (ZeRO < 3) the once-per-step fp8
// cast of the weights (kFp8CastBytes per parameter).
double step_tail_seconds(const StepInput& in, const ComputeModel& cm, double held,
                         double stage_params);
// Bytes per parameter of a ZeRO-3 / FSDP parameter all-gather: the 16-bit weights, or fp8 with
// training.fp8_all_gather.
double gather_bytes_per_param(const Training& t);

// The tuner as a training step calls it (analytic model): with the flow model's TunerOptions
// (ring step overlap, both link classes bound a cross-node ring; collectives.hpp says why), so
// that the analytic ranking and the flow simulation agree on an idle cluster, and with the
// scenario's all-reduce algorithm (cluster.network.algorithm) where one is pinned. `n` ranks of
// which `per_node` share a node; inter-node bandwidth is each GPU's NIC share. An algorithm that
// cannot run there (NVLS across nodes) throws TopologyError naming cluster.network.algorithm.
// `inter_bw` > 0 replaces the per-GPU NIC share (a group that has the node's NICs to itself).
CollectiveCost step_collective_cost(const StepInput& in, CollectiveKind kind, double bytes,
                                    int n, int per_node, double inter_bw = 0);

// Cost of a collective of a TP or CP group, or of the data-parallel group, on an idle cluster.
CollectiveCost group_collective_cost(const StepInput& in, CommGroup group, CollectiveKind kind,
                                     double bytes);
// Over the ZeRO shard group (the whole data-parallel group without HSDP).
CollectiveCost dp_collective_cost(const StepInput& in, CollectiveKind kind, double bytes);
// The rate (bus bytes/s) at which a collective of a data-parallel-like group `g` moves once
// its links saturate, all such groups of a node running at once: each GPU's NIC share times the
// group's ranks on a node across nodes, the scale-up link inside one (Simple efficiency).
double group_link_rate(const StepInput& in, GroupShape g);
// Over the HSDP replica group (a no-op of zero seconds without HSDP).
CollectiveCost replica_collective_cost(const StepInput& in, CollectiveKind kind, double bytes);
CollectiveCost expert_dp_collective_cost(const StepInput& in, CollectiveKind kind, double bytes);

// Bytes of one pipeline send (Megatron sends 1/tp of the activation per rank).
double pipeline_send_bytes(const StepInput& in);
// Whether the representatives of two stages share a node.
bool stages_share_node(const StepInput& in, int a, int b);

// Parameters held by one GPU of `stage` (after TP sharding and EP sharding of the experts,
// before ZeRO sharding).
double stage_parameters(const StepInput& in, int stage);
// The expert part of stage_parameters: replicated over the expert-data-parallel group only.
double stage_expert_parameters(const StepInput& in, int stage);

}  // namespace cirrus::models
