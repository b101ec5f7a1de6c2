#pragma once
// What one training step is made of, priced but not yet scheduled: the merged kernel runs and
// collectives of a layer's forward, backward and recomputation, of the embedding and of the
// output layer; where each parallel group sits on the nodes; what its collectives cost on an
// idle cluster. The step builder schedules these on the engine; the analytic model composes
// them in closed form. Sharing them keeps the two consistent.
#include <vector>

#include "models/collectives.hpp"
#include "models/compute_model.hpp"
#include "models/layer_program.hpp"
#include "models/step_builder.hpp"

namespace cirrus::models {

// A program with consecutive kernels merged: one entry per run of compute, one per collective.
struct Segment {
  bool is_comm = false;
  double seconds = 0;  // compute
  CollectiveKind collective = CollectiveKind::kAllReduce;
  double bytes = 0;
  CommGroup group = CommGroup::kTp;
};

std::vector<Segment> segments_of(const std::vector<LayerItem>& items, const ComputeModel& cm);

struct StepPrograms {
  std::vector<Segment> fwd, bwd, rec;           // one transformer layer, one micro-batch
  std::vector<Segment> emb_f, emb_b;            // first stage
  std::vector<Segment> head_f, head_b;          // last stage
};
StepPrograms step_programs(const StepInput& in, const ComputeModel& cm);

// Parameters of one transformer layer (all TP shards together).
double layer_parameters(const TransformerConfig& m);

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

// The tuner as a training step calls it (analytic model): with the flow model's TunerOptions
// (ring step overlap, both link classes bound a cross-node ring; collectives.hpp says why), so
// that the analytic ranking and the flow simulation agree on an idle cluster, and with the
// scenario's all-reduce algorithm (cluster.network.algorithm) where one is pinned. `n` ranks of
// which `per_node` share a node; inter-node bandwidth is each GPU's NIC share. An algorithm that
// cannot run there (NVLS across nodes) throws TopologyError naming cluster.network.algorithm.
CollectiveCost step_collective_cost(const StepInput& in, CollectiveKind kind, double bytes,
                                    int n, int per_node);

// Cost of a collective of a TP or CP group, or of the data-parallel group, on an idle cluster.
CollectiveCost group_collective_cost(const StepInput& in, CommGroup group, CollectiveKind kind,
                                     double bytes);
CollectiveCost dp_collective_cost(const StepInput& in, CollectiveKind kind, double bytes);

// Bytes of one pipeline send (Megatron sends 1/tp of the activation per rank).
double pipeline_send_bytes(const StepInput& in);
// Whether the representatives of two stages share a node.
bool stages_share_node(const StepInput& in, int a, int b);

}  // namespace cirrus::models
