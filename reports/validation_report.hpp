#pragma once
// The renderers of `validate` on step-time datasets (app/step_validation.hpp): a dataset's
// table and JSON, the summary tables by GPU family, precision and framework, and the residual
// statistics that give the planner's error bars (data/validation/residuals.json).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/serving_validation.hpp"
#include "app/step_validation.hpp"

namespace cirrus::reports {

// One dataset: rows, MAPE line, summary table by family/precision/framework, assumptions.
std::string render_dataset_table(const app::DatasetValidation& d);
// A summary table (the `by` of the heading says which keys it groups by).
std::string render_summary_table(const std::vector<app::GroupSummary>& groups,
                                 const std::string& heading);
nlohmann::json dataset_json(const app::DatasetValidation& d);
nlohmann::json summary_json(const std::vector<app::GroupSummary>& groups);

// The residuals file (data/validation/residuals.json): per (GPU family, precision), per
// precision over all GPUs, and overall, the statistics of the predicted rows' signed errors.
// With serving datasets, `serving_groups` beside them: the same statistics of the serving rows'
// output tokens per second, per (GPU family, precision) and over all serving rows.
// Deterministic: the same datasets and model give the same bytes.
inline constexpr const char* kResidualsCommand =
    "cirrus validate --all --write-residuals data/validation/residuals.json";
std::string render_residuals(const std::vector<app::DatasetValidation>& sets,
                             const std::vector<app::ServingValidation>& servings = {});

}  // namespace cirrus::reports
