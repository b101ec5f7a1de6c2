#pragma once
// What one training step is made of, priced but not yet scheduled: the merged kernel runs and
// collectives of a layer's forward, backward and recomputation, of the embedding and of the
// output layer; what its collectives cost on an idle cluster, for groups placed by the step's
// RankLayout (rank_layout.hpp). The step builder schedules these on the engine; the analytic model
// composes them in closed form. Sharing them keeps the two consistent.
#include <vector>

#include "models/compute/compute_model.hpp"
#include "models/network/collectives.hpp"
#include "models/step/rank_layout.hpp"
#include "models/step/step_input.hpp"
#include "models/workload/layer_program.hpp"

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
  std::vector<Segment> fwd, bwd, rec;              // one transformer layer, one micro-batch
  std::vector<Segment> moe_fwd, moe_bwd, moe_rec;  // one MoE layer (empty for dense models)
  std::vector<Segment> emb_f, emb_b;               // first stage
  std::vector<Segment> head_f, head_b;             // last stage
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

// ---- What the gradient reductions, the ZeRO gathers and the optimizer move (training.finetune).
// Under full training every parameter; with frozen base weights (LoRA, QLoRA) only the adapters
// have gradients and optimizer states, so the data-parallel reductions, the distributed
// optimizer's gather and the optimizer run over them alone, while ZeRO-3 / FSDP still gathers
// the frozen weights (at base_bits) for every use.
// One layer's trainable parameters on one GPU (layer_params_per_gpu, or the adapters).
LayerParams layer_trainable_per_gpu(const StepInput& in, int layer);
// The embedding's (and an untied output layer's) trainable rows x hidden / tp: 0 when frozen.
double embedding_trainable_per_gpu(const StepInput& in);
// Trainable parameters of stage `stage` on one GPU (stage_parameters under full training).
double stage_trainable_parameters(const StepInput& in, int stage);
// Bytes per trainable parameter of a gradient reduction (grad_bytes, or the adapters' fp32) and
// of the distributed optimizer's gather of updated parameters (param_bytes, or fp32).
double trainable_grad_bytes(const Training& t);
double trainable_param_bytes(const Training& t);
// Bytes of one layer's ZeRO-3 / FSDP all-gather on one GPU (dense and expert parts): its
// parameters at gather_bytes_per_param, or the frozen GEMM weights at base_bits (the quantization
// constants included), the norms and the adapters in 16 bits.
LayerParams layer_gather_bytes(const StepInput& in, int layer);

// Micro-batches per step: global_batch / (dp x micro_batch).
int micro_batches(const StepInput& in);

// Each GPU's share of its node's NIC bandwidth, bytes/s per direction.
double nic_share(const NodeSpec& node);

// The transformer layers of model chunk `chunk` of pipeline stage `stage` (global chunk index
// chunk x pp + stage): consecutive layers [first, first + count). Layers that do not divide
// evenly go one each to the first chunks (as models/workload/memory.hpp's stage_layers counts
// them), so stage 0 holds the most.
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
CollectiveCost step_collective_cost(const StepInput& in, CollectiveKind kind, double bytes, int n,
                                    int per_node, double inter_bw = 0);

// Cost of a collective of a layer's TP, CP or EP group on an idle cluster.
CollectiveCost group_collective_cost(const StepInput& in, CommGroup group, CollectiveKind kind,
                                     double bytes);
// Over the ZeRO shard group (the whole data-parallel group without HSDP).
CollectiveCost dp_collective_cost(const StepInput& in, CollectiveKind kind, double bytes);
// The rate (bus bytes/s) at which a collective of a data-parallel-like group `g` (kDp, kEdp,
// kRep) moves once its links saturate, all such groups of a node running at once: each GPU's
// NIC share times the group's ranks on a node across nodes, the scale-up link inside one
// (Simple efficiency).
double group_link_rate(const StepInput& in, RankGroup g);
// Over the HSDP replica group (a no-op of zero seconds without HSDP).
CollectiveCost replica_collective_cost(const StepInput& in, CollectiveKind kind, double bytes);
CollectiveCost expert_dp_collective_cost(const StepInput& in, CollectiveKind kind, double bytes);

// Bytes of one pipeline send (Megatron sends 1/tp of the activation per rank).
double pipeline_send_bytes(const StepInput& in);

// Parameters held by one GPU of `stage` (after TP sharding and EP sharding of the experts,
// before ZeRO sharding).
double stage_parameters(const StepInput& in, int stage);
// The expert part of stage_parameters: replicated over the expert-data-parallel group only.
double stage_expert_parameters(const StepInput& in, int stage);

}  // namespace cirrus::models
