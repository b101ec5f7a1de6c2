#pragma once
// Compiles one training step (model x strategy x cluster) into a task graph for the engine.
//
// Ranks that are symmetric in tensor, context and data parallelism compute alike, so one
// representative rank per pipeline stage is simulated for compute (RankLayout::representative:
// rank_layout.hpp holds the rank order and every group's ranks). Each has a compute stream
// (kernels in program order, as one CUDA stream), a tensor-parallel stream (used when TP
// communication overlaps compute), a pipeline-send stream per direction, a data-parallel
// stream and a ZeRO-3 gather stream.
//
// The builder owns the schedule: the pipeline order, the streams, and which collective or send
// waits for what. What a collective costs and which resources it loads is the communication
// back-end's (comm_backend.hpp), chosen once per step:
//   flow (FlowNetwork given; what `simulate` uses): lowered onto the cluster's topology,
//     sharing its links max-min (flow_comm.hpp);
//   analytic (no FlowNetwork): the NCCL tuner formula over synthetic per-stage links
//     (analytic_comm.hpp).

#include "models/compute/compute_model.hpp"
#include "models/step/flow_comm.hpp"
#include "models/step/step_graph.hpp"
#include "models/step/step_input.hpp"

namespace cirrus::models {

// With `flow`, the flow model on flow->topology (StepGraph::resource_names are the links'
// names); without, the analytic model. Throws TopologyError naming cluster.network.algorithm
// when the pinned algorithm cannot run one of the step's all-reduces.
StepGraph build_step(const StepInput& in, const ComputeModel& compute, FlowNetwork* flow = nullptr);

}  // namespace cirrus::models
