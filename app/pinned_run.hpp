#pragma once
// `simulate`'s job: the scenario's one configuration simulated with the engine, its error bars
// and, when the catalogs have its instance and the step can run, its cost under the scenario's
// pricing model.
#include <optional>

#include "app/job.hpp"
#include "models/step/simulate.hpp"
#include "models/step/uncertainty.hpp"
#include "pricing/cost_model.hpp"

namespace cirrus::app {

struct PinnedRun {
  models::SimulationOutput sim;  // the result, and the graph and run a trace is drawn from
  models::Uncertainty uncertainty;
  std::optional<pricing::ContractCost> cost;  // none: no catalog instance, or infeasible
  // Why a capacity product gives no cost (not sold for the instance, no price, or the run does
  // not fit its terms); empty otherwise.
  std::string cost_unavailable;
};

// `job` resolved with resolve_pinned.
PinnedRun run_pinned(const Job& job);

}  // namespace cirrus::app
