#pragma once
// Fills a Report (report_model.hpp) from a plan or from one simulated configuration. The
// chosen configuration is re-simulated in detail for its timeline and priced under every
// pricing model with pricing's cost model, as `cirrus price` does.
#include <string>
#include <vector>

#include "models/step/simulate.hpp"
#include "models/step/uncertainty.hpp"
#include "plan/instance_options.hpp"
#include "plan/planner.hpp"
#include "plan/search_space.hpp"
#include "pricing/catalog.hpp"
#include "reports/report_model.hpp"
#include "scenarios/scenario.hpp"

namespace cirrus::reports {

// A plan's report. `plan` should have been run with PlanOptions::keep_pruned for the CSV to
// list pruned combinations (without it they are counted, not listed). `details` is how many of
// the top candidates get breakdown and memory bars besides the best.
// `residuals`: the validation residuals behind error bars (models/step/uncertainty.hpp); null:
// none, and the report says the error is unknown.
Report build_plan_report(const scenarios::Scenario& s, const plan::SearchSpace& space,
                         const plan::PlanResult& plan, const plan::ResolvedInstances& resolved,
                         std::size_t details = 8, const models::ResidualStats* residuals = nullptr);

// A pinned scenario's report: one candidate, simulated (`sim`), priced when `instance` is a
// catalog entry (nullptr: no prices).
Report build_pinned_report(const scenarios::Scenario& s, const models::StepInput& input,
                           const models::SimulationOutput& sim, const pricing::Instance* instance,
                           const models::ResidualStats* residuals = nullptr);

}  // namespace cirrus::reports
