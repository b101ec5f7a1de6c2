#pragma once
// The renderers of `validate` on published serving throughputs (app/serving_validation.hpp):
// each row's workload, the published and the simulated output tokens per second and the error;
// MAPE and the mean signed error, overall and per model; the stated setup and what was assumed.
#include <string>

#include <nlohmann/json.hpp>

#include "app/serving_validation.hpp"

namespace cirrus::reports {

std::string render_serving_validation_table(const app::ServingValidation& v);
nlohmann::json serving_validation_json(const app::ServingValidation& v);

}  // namespace cirrus::reports
