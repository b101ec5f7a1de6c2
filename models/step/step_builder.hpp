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
//     NetworkTopology (models/network/flow_collectives.hpp) and share its links, max-min:
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

#include "models/compute/compute_model.hpp"
#include "models/step/step_graph.hpp"
#include "models/step/step_input.hpp"
#include "models/network/flow_collectives.hpp"

namespace cirrus::models {

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
