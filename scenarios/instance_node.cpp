#include "scenarios/instance_node.hpp"

#include <fmt/format.h>

#include "pricing/instance_table.hpp"

namespace cirrus::scenarios {

InstanceNode instance_node(const std::string& id) {
  InstanceNode out;
  const auto colon = id.find(':');
  if (colon == std::string::npos) return out;
  const pricing::KnownHardware* hw = pricing::find_known_hardware(
      std::string_view(id).substr(0, colon), std::string_view(id).substr(colon + 1));
  if (hw == nullptr) return out;
  out.known = true;
  if (hw->gpu.empty()) {
    out.why_not =
        fmt::format("{} carries {}, which cirrus has no GPU model for yet", id, hw->gpu_model);
  } else if (hw->node.empty()) {
    out.why_not = fmt::format(
        "{} has {} x {}; cirrus has no node model for that shape (it simulates 8-GPU boards "
        "with their scale-up and NICs)",
        id, hw->gpus, hw->gpu_model);
  } else if (auto node = models::find_node(std::string(hw->node))) {
    out.node = std::move(node);
  } else {
    out.why_not =
        fmt::format("{} names node preset '{}', which cirrus does not have", id, hw->node);
  }
  return out;
}

std::vector<std::string> known_instance_ids() {
  std::vector<std::string> ids;
  for (const auto& hw : pricing::kKnownHardware) {
    ids.push_back(fmt::format("{}:{}", hw.provider, hw.name));
  }
  return ids;
}

}  // namespace cirrus::scenarios
