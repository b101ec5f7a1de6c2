#pragma once
// Whether a step's offloaded model states (strategy.offload, models/workload/offload_memory.hpp)
// fit the node's host memory and NVMe.
#include "models/step/step_input.hpp"
#include "models/step/step_result.hpp"

namespace cirrus::models {

// Checks the offloaded bytes of every stage against the node's host memory and NVMe (all GPUs
// of a node offload to the same host): false with r.infeasible_reason set when they do not fit
// or the node's capacity is unknown (0).
bool check_offload_capacity(const StepInput& in, StepResult& r);

}  // namespace cirrus::models
