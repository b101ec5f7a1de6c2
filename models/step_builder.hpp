#pragma once
// Compiles one training step (model x strategy x cluster) into a task graph for the engine.
//
// Ranks that are symmetric in tensor, context and data parallelism behave alike, so one
// representative rank per pipeline stage is simulated. Each has a compute stream (kernels in
// program order, as one CUDA stream), a tensor-parallel stream (used when TP communication
// overlaps compute), a pipeline-send stream per direction and a data-parallel stream.
// Communication becomes flows over the representative's share of its links: NVLink out/in
// and the per-GPU share of the node's NICs, so pipeline sends and gradient reductions that
// run at the same time contend for the same NIC.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/compute_model.hpp"
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

StepGraph build_step(const StepInput& in, const ComputeModel& compute);

}  // namespace cirrus::models
