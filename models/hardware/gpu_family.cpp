#include "models/hardware/gpu_family.hpp"

namespace cirrus::models {

std::string gpu_family(const std::string& gpu_id) {
  if (gpu_id.starts_with("a100")) return "a100";
  if (gpu_id.starts_with("h100") || gpu_id.starts_with("h800")) return "h100";
  if (gpu_id.starts_with("h200")) return "h200";
  return gpu_id;
}

}  // namespace cirrus::models
