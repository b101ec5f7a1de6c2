#pragma once
// Reader of `serving.plan` (docs/CONTRACT.md, "Serving plans (added)"): every key checked, a bad
// value an InputError with its JSON path (`serving.plan.tp[2]`).
#include "common/json_reader.hpp"
#include "models/serving/serving_plan_spec.hpp"

namespace cirrus::scenarios {

// Bounds: re-simulations cost one fleet run each, so seeds and top stay small.
inline constexpr int kMaxPlanSeeds = 16;
inline constexpr int kMaxPlanTop = 64;
inline constexpr int kMaxPlanListValues = 64;

models::ServingPlanSpec read_serving_plan(const JsonNode& n);

}  // namespace cirrus::scenarios
