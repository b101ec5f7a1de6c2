#pragma once
// Simulates one training step of a pinned configuration: checks that it can run (precision
// support, memory), compiles it to a task graph, runs the engine and reads the result off the
// critical stage's timeline. Infeasible configurations come back as values with a reason.
#include "models/step_builder.hpp"
#include "models/step_result.hpp"
#include "sim/task_graph.hpp"

namespace cirrus::models {

struct SimulationOutput {
  StepResult result;
  StepGraph graph;      // kept for traces and tests
  sim::RunResult run;
};

StepResult simulate_step(const StepInput& in);
SimulationOutput simulate_step_detailed(const StepInput& in);

// The breakdown of the critical stage's compute stream: every picosecond of [0, makespan] is
// attributed once, so the parts sum to the step time.
Breakdown critical_path_breakdown(const StepGraph& g, const sim::RunResult& run);

}  // namespace cirrus::models
