#pragma once
// A serving plan (app/serving_plan_run.hpp) as a table or as JSON (keys in a fixed order,
// numbers to 6 significant digits): the best fleet, the re-simulated top candidates beside their
// estimates, the Pareto frontier of cost per million tokens against the percentile TTFT, and
// what the search pruned.
#include <string>

#include "app/serving_plan_run.hpp"

namespace cirrus::reports {

// `format`: "table" or "json".
std::string render_serving_plan(const app::ServingPlan& plan, const std::string& format);

}  // namespace cirrus::reports
