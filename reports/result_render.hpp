#pragma once
// Renders a simulated configuration as CONTRACT.md's result: a terminal table, JSON or CSV.
// Numbers are rounded to a fixed number of significant digits so that output is stable and
// readable; the same inputs always give the same bytes.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "models/step/step_input.hpp"
#include "models/step/step_result.hpp"
#include "models/step/uncertainty.hpp"
#include "pricing/cost_model.hpp"
#include "reports/report_format.hpp"

namespace cirrus::reports {

struct ResultContext {
  std::string scenario;  // scenario name
  std::string instance;  // catalog id, or the node preset when no instance was given
  models::StepInput input;
  // The result's error bars (reports/uncertainty_render.hpp): the table's step time, run and
  // notes show them and the CSV gains their columns. result_json leaves them out: callers add
  // the `uncertainty` object with add_uncertainty_json once the `cost` object is in place.
  std::optional<models::Uncertainty> uncertainty = std::nullopt;
  // The run's price under the scenario's pricing model, when it has a catalog instance: the
  // CSV's cost columns (the table's and JSON's cost are added by their callers).
  std::optional<pricing::ContractCost> cost = std::nullopt;
};

nlohmann::json result_json(const ResultContext& ctx, const models::StepResult& r);
std::string render_json(const ResultContext& ctx, const models::StepResult& r);
std::string render_table(const ResultContext& ctx, const models::StepResult& r);
std::string render_csv(const ResultContext& ctx, const models::StepResult& r);

}  // namespace cirrus::reports
