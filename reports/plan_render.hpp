#pragma once
// Renders a plan: the search statistics, the best configuration under the objective's limits
// (or why there is none), the Pareto frontier of run time and cost, and the top K — as a
// terminal table, CONTRACT.md's JSON ({"evaluated", "infeasible", "best", "pareto", "top"}),
// or CSV of every feasible candidate.
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "app/job.hpp"
#include "app/plan_run.hpp"
#include "models/step/uncertainty.hpp"
#include "plan/planner.hpp"
#include "plan/search_space.hpp"
#include "scenarios/scenario.hpp"

namespace cirrus::reports {

struct PlanView {
  const scenarios::Scenario* scenario = nullptr;
  const plan::SearchSpace* space = nullptr;
  const plan::PlanResult* result = nullptr;
  std::string pricing;  // "on-demand", ...
  // The validation residuals behind the error bars (models/step/uncertainty.hpp); null: none, and
  // every candidate's error is unknown (said so in the output).
  std::shared_ptr<const models::ResidualStats> residuals = nullptr;
  // `"instance": "auto"` entries left out of the search, (id, why); null or empty: none.
  const std::vector<std::pair<std::string, std::string>>* skipped_instances = nullptr;
};

// The candidate with the shortest run, when it sits at the largest node count `"nodes":
// "auto"` tries (more nodes might be faster still, and were not tried); nullopt otherwise.
std::optional<std::size_t> fastest_at_node_limit(const PlanView& v);

// The error bars of each instance of the search (index: SearchSpace::instances), for the
// scenario's precision: the GPU, its profile and the precision decide them, not the strategy.
std::vector<models::Uncertainty> instance_uncertainty(const PlanView& v);

// The full result object of one candidate (engine result if refined, else analytic), with
// its `cost` object.
nlohmann::json candidate_json(const PlanView& v, std::size_t index);

nlohmann::json plan_json(const PlanView& v);
std::string render_plan_json(const PlanView& v);
std::string render_plan_table(const PlanView& v);
std::string render_plan_csv(const PlanView& v);

// The view of a job's plan: its scenario, search space and result, the scenario's pricing
// model and the job's residuals.
PlanView plan_view(const app::Job& job, const app::PlanRun& run);

// `plan`'s output for a job and its run; `format`: "table", "json" or "csv".
std::string render_plan(const app::Job& job, const app::PlanRun& run, const std::string& format);

}  // namespace cirrus::reports
