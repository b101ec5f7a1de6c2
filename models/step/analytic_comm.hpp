#pragma once
// The analytic communication model: each collective is one flow priced by the NCCL tuner
// formula (step_collective_cost, step_costs.hpp) over four synthetic resources per stage
// representative: scale-up out and in, and its share of the node's NICs out and in. A pipeline
// send is one flow from one representative's links to the other's. Blind to the fabric (no
// leaf or spine, no other group's traffic); kept for comparison and for callers that need no
// topology. Resources are named "stage S scale-up out" and so on.
#include <memory>

#include "models/step/comm_backend.hpp"

namespace cirrus::models {

std::unique_ptr<CommBackend> make_analytic_comm(const StepInput& in, const RankLayout& layout,
                                                StepGraph& out);

}  // namespace cirrus::models
