#pragma once
// Renders a plan: the search statistics, the best configuration under the objective's limits
// (or why there is none), the Pareto frontier of run time and cost, and the top K — as a
// terminal table, CONTRACT.md's JSON ({"evaluated", "infeasible", "best", "pareto", "top"}),
// or CSV of every feasible candidate.
#include <nlohmann/json.hpp>
#include <string>

#include "plan/planner.hpp"
#include "plan/search_space.hpp"
#include "scenarios/scenario.hpp"

namespace cirrus::reports {

struct PlanView {
  const scenarios::Scenario* scenario = nullptr;
  const plan::SearchSpace* space = nullptr;
  const plan::PlanResult* result = nullptr;
  std::string pricing;  // "on-demand", ...
};

// The full result object of one candidate (engine result if refined, else analytic), with
// its `cost` object.
nlohmann::json candidate_json(const PlanView& v, std::size_t index);

nlohmann::json plan_json(const PlanView& v);
std::string render_plan_json(const PlanView& v);
std::string render_plan_table(const PlanView& v);
std::string render_plan_csv(const PlanView& v);

}  // namespace cirrus::reports
