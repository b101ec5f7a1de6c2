#pragma once
// A step compiled for the engine: the task graph, its streams and resources, and what each task
// is (its tag) and belongs to (its pass), for the breakdown, traces and reports.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

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
  kTagEpComm,   // expert-parallel all-to-alls (dispatch and combine)
  kTagCount
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

}  // namespace cirrus::models
