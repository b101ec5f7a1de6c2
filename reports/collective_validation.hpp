#pragma once
// The renderers of `validate` on measured collective curves (app/collective_validation.hpp):
// per curve, each size measured beside cirrus's time, bus bandwidth and choice of algorithm,
// and the time MAPE over the latency-bound and the bandwidth-bound sizes; as a table or JSON.
#include <string>

#include <nlohmann/json.hpp>

#include "app/collective_validation.hpp"

namespace cirrus::reports {

std::string render_collective_table(const app::CollectiveValidation& v);
nlohmann::json collective_json(const app::CollectiveValidation& v);

}  // namespace cirrus::reports
