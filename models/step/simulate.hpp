#pragma once
// Simulates one training step of a pinned configuration: checks that it can run (precision
// support, memory), compiles it to a task graph, runs the engine and reads the result off the
// critical stage's timeline. Infeasible configurations come back as values with a reason.
#include <cstddef>

#include "models/network/flow_collectives.hpp"
#include "models/step/step_builder.hpp"
#include "models/step/step_result.hpp"
#include "sim/task_graph.hpp"

namespace cirrus::models {

struct SimulationOutput {
  StepResult result;
  StepGraph graph;  // kept for traces and tests
  sim::RunResult run;
};

// Which network model carries the step's communication (the back-ends of comm_backend.hpp).
// The default is the flow model on the cluster's topology: contention between concurrent
// collectives, pipeline sends and an oversubscribed fabric shows in the step time. The
// analytic model is the tuner's formula on per-stage synthetic links (what analytic_step and
// the planner's ranking assume), kept for comparison.
struct SimulateOptions {
  NetworkModel network = NetworkModel::kFlow;
  // The cluster's topology, when the caller already has one for in.cluster (the planner shares
  // one per cluster between the candidates it refines: a 16k-GPU topology costs time to
  // build). Null: simulate builds it. Must have been built from in.cluster and
  // topology_options(in.cluster.network).
  const NetworkTopology* topology = nullptr;
  std::size_t top_links = 5;  // StepResult::links keeps this many
};

// A floor on the tasks of the step's graph, from its shape alone: every micro-batch runs a
// forward and a backward pass over every layer, each at least one task. simulate_step refuses a
// step whose floor is above the engine's task limit (Infeasibility::kTooLargeToSimulate, "N tasks,
// limit M") before building anything, and one whose graph outgrows the limit while being built.
double step_task_floor(const StepInput& in);

StepResult simulate_step(const StepInput& in, const SimulateOptions& options = {});
SimulationOutput simulate_step_detailed(const StepInput& in, const SimulateOptions& options = {});

// The breakdown of the critical stage's compute stream: every picosecond of [0, makespan] is
// attributed once, so the parts sum to the step time.
Breakdown critical_path_breakdown(const StepGraph& g, const sim::RunResult& run);

}  // namespace cirrus::models
