#pragma once
// `serve`'s job: inference throughput of the scenario's model on one GPU of its node by batch
// size, fully resident beside offloaded to host memory in a ring of `inference.gpu_sections`
// sections (models/systems/offload_inference.hpp).
#include <optional>
#include <vector>

#include "app/job.hpp"
#include "models/systems/offload_inference.hpp"

namespace cirrus::app {

struct ServeOptions {
  std::vector<int> batch;                  // empty: the scenario's
  std::optional<double> pcie_gbyte_per_s;  // empty: the node's measured copy rate
};

struct ServeResult {
  std::string scenario_name;
  models::ServeInput input;
  std::vector<models::ServePoint> points;
};

// `job` resolved with resolve_search (no step input is needed). Throws InputError when the
// scenario has no node or no host-to-device bandwidth.
ServeResult run_serve(const Job& job, const ServeOptions& options);

}  // namespace cirrus::app
