#include "plan/auto_instances.hpp"

#include "models/hardware/hardware.hpp"

namespace cirrus::plan {
namespace {

bool has_node_model(const pricing::Instance& instance) {
  return !instance.gpu.empty() && !instance.node.empty() &&
         models::find_node(instance.node).has_value();
}

}  // namespace

bool simulable(const pricing::Instance& instance) {
  return has_node_model(instance) && instance.gpus && *instance.gpus >= 1;
}

std::optional<std::string> auto_skip_reason(const pricing::Instance& instance) {
  if (!has_node_model(instance)) return "no GPU and node preset cirrus can simulate";
  // Multi-node training plans use whole 8-GPU boards; smaller shapes (and a count the catalog
  // does not know) are for single-GPU work and would flood the search.
  if (!instance.gpus || *instance.gpus < 8) return "fewer than 8 GPUs per instance";
  return std::nullopt;
}

}  // namespace cirrus::plan
