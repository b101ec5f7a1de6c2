#pragma once
// Compiles one training step (model x strategy x cluster) into a task graph for the engine.
//
// Ranks that are symmetric in tensor, context and data parallelism compute alike, so one
// representative rank per pipeline stage is simulated for compute. Each has a compute stream
// (kernels in program order, as one CUDA stream), a tensor-parallel stream (used when TP
// communication overlaps compute), a pipeline-send stream per direction and a data-parallel
// stream. Global ranks follow Megatron-LM's order, tp fastest, then cp, dp and pp:
//   rank = tp_i + tp x (cp_i + cp x (dp_i + dp x pp_i));
// the representative of stage s is rank s x tp x cp x dp (tp_i = cp_i = dp_i = 0).
//
// Communication, by network model (one entry point, Builder::collective in the .cpp, so a new
// group such as expert parallelism is one more case):
//   flow (FlowNetwork given; what `simulate` uses): collectives are lowered onto the cluster's
//     NetworkTopology (models/flow_collectives.hpp) and share its links, max-min:
//     - TP and CP collectives run over the representative's own group. Other TP/CP groups of
//       the stage run the same collectives on other GPUs' scale-up ports (and, for groups that
//       span nodes, other NICs); they are not simulated, so traffic of those groups that would
//       meet the representative's on a shared leaf or spine is not seen.
//     - Data-parallel collectives (gradient all-reduce or reduce-scatter, ZeRO all-gathers) run
//       over EVERY data-parallel group of the stage: one per tp position, each of the dp x cp
//       ranks with that (stage, tp_i), stride tp. All groups of all stages load NICs, leaves
//       and spines together, which is where oversubscription shows.
//     - Pipeline sends: every rank of stage s sends to its counterpart in the next (or
//       previous) stage at once, one multi-pair transfer (lower_sends) on the same links.
//     Lowerings are cached by (group, stage, kind, bytes) and added to the graph as often as
//     the step issues them.
//   analytic (no FlowNetwork): each collective is one flow priced by the NCCL tuner formula
//     (step_collective_cost) over four synthetic resources per stage representative:
//     scale-up out/in and its share of the node's NICs. Blind to the fabric; kept for
//     comparison and for callers that need no topology.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/compute_model.hpp"
#include "models/flow_collectives.hpp"
#include "models/hardware.hpp"
#include "models/profile.hpp"
#include "models/strategy.hpp"
#include "models/transformer.hpp"
#include "sim/task_graph.hpp"

namespace cirrus::models {

// Task tags: what a task's time is attributed to in the breakdown.
enum Tag : std::uint16_t {
  kTagCompute = 0,
  kTagRecompute,
  kTagTpComm,
  kTagCpComm,
  kTagPpComm,
  kTagDpComm,
  kTagOptimizer,
  kTagOffload,  // host/NVMe <-> GPU copies of parameters, gradients, optimizer states
  kTagEpComm,  // expert-parallel all-to-alls (dispatch and combine)
  kTagCount
};

struct StepInput {
  TransformerConfig model;
  Training training;
  Strategy strategy;
  ClusterSpec cluster;
  // A calibration profile of the cluster's GPU (null: datasheet figures). Shared, immutable.
  std::shared_ptr<const ProfileLookup> profile;
};

struct StepGraph {
  sim::TaskGraph graph;
  int stages = 1;
  std::vector<sim::StreamId> compute_stream;  // per stage
  std::vector<std::string> resource_names;    // per resource
  // Collectives and pipeline sends added, and how many of them took a calibration profile's
  // measured bus bandwidth (a step is calibrated only when all of them did).
  std::size_t collectives = 0;
  std::size_t collectives_measured = 0;
  // Flow model: each resource's representative after TaskGraph::merge_identical_resources
  // (itself when kept; empty for the analytic model). simulate_step_detailed copies each
  // representative's bytes to the resources merged into it, so RunResult's per-resource bytes
  // hold for every link.
  std::vector<sim::ResourceId> resource_representative;
  // Task label = stage index; the tag says what the task is.

  // One forward or backward pass of one micro-batch (model chunk) on one stage, as the
  // pipeline schedule issued it: the tasks [first, end) it compiled to, its send to the
  // neighbouring stage included. In emission order; for traces and reports (what a task
  // belongs to), never read by the engine. Tasks outside every pass are the step's tail
  // (gradient reduction, optimizer, parameter all-gather).
  struct Pass {
    int stage = 0;
    int micro_batch = 0;
    int chunk = 0;
    bool backward = false;
    sim::TaskId first = 0;
    sim::TaskId end = 0;
  };
  std::vector<Pass> passes;
};

// Parameters held by one GPU of `stage` (after TP sharding and EP sharding of the experts,
// before ZeRO sharding).
double stage_parameters(const StepInput& in, int stage);
// The expert part of stage_parameters: replicated over the expert-data-parallel group only.
double stage_expert_parameters(const StepInput& in, int stage);

// The flow model's state for one step graph: the cluster's topology (built for in.cluster,
// outliving the graph's run) and the task-graph resources of its links.
struct FlowNetwork {
  explicit FlowNetwork(const NetworkTopology& t) : topology(t), links(t) {}
  const NetworkTopology& topology;
  LinkResources links;
};

// With `flow`, the flow model on flow->topology (StepGraph::resource_names are the links'
// names); without, the analytic model. Throws TopologyError naming cluster.network.algorithm
// when the pinned algorithm cannot run one of the step's all-reduces.
StepGraph build_step(const StepInput& in, const ComputeModel& compute,
                     FlowNetwork* flow = nullptr);

}  // namespace cirrus::models
