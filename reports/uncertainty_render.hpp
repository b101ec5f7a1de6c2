#pragma once
// Error bars in results (models/step/uncertainty.hpp): the `uncertainty` object of a result's JSON,
// and the compact range texts of tables ("$1.49M (1.36-1.62M)").
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "models/step/step_input.hpp"
#include "models/step/step_result.hpp"
#include "models/step/uncertainty.hpp"

namespace cirrus::reports {

// The values a result's ranges are drawn around (unrounded); empty where the result has none.
struct RangedValues {
  std::optional<double> step_time_s;
  std::optional<double> run_days;
  std::optional<double> usd_total;
};

// Adds `"uncertainty": {"sigma", "basis", "bias", "rows", "wide", "gpu_family", "precision",
// "factor", "step_time_s": [low, high], "run_days": [low, high], "usd_total": [low, high]}` to a
// feasible result object (infeasible ones are left alone); a range is null where its value is
// empty or the error is unknown (then sigma and bias are null too).
void add_uncertainty_json(nlohmann::json& result, const models::Uncertainty& u,
                          const RangedValues& values);

// "32.0-38.4": a range with `decimals` decimals.
std::string range_text(const models::Range& r, int decimals);
// "$1.49M (1.36-1.62M)": a dollar amount as plan tables print it, with its range in the same
// unit; just the amount when `sigma` is empty.
std::string money_with_range(double usd, std::optional<double> sigma);
// "35.2 (32.0-38.4)": days with one decimal and their range.
std::string days_with_range(double days, std::optional<double> sigma);

}  // namespace cirrus::reports
