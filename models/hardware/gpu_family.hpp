#pragma once
// GPU families for grouping accuracy figures (`cirrus validate`'s summaries and the residuals
// file): parts that share a die and whose errors are expected to look alike.
#include <string>

namespace cirrus::models {

// The family of a GPU preset id: "a100" (a100-sxm-40gb, a100-sxm-80gb, a100-pcie-80gb),
// "h100" (h100-sxm, h100-pcie, h100-96gb-500w and the H800, h800-sxm: the same Hopper die),
// "h200" (h200-sxm); any other preset is its own family (its id).
std::string gpu_family(const std::string& gpu_id);

}  // namespace cirrus::models
