#pragma once
// `price`'s job: the scenario's one configuration simulated, then the whole run priced under
// every pricing model of its catalog instance (pricing/cost_model.hpp): spot interruptions with
// Daly's checkpoint interval, storage, egress, energy; the run re-priced at the ends of the
// step's error band; and, on request, a Monte-Carlo replay of the interruptions.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "app/job.hpp"
#include "models/step/step_result.hpp"
#include "models/step/uncertainty.hpp"
#include "pricing/cost_model.hpp"
#include "pricing/monte_carlo.hpp"

namespace cirrus::app {

// The command line's changes to the cost model's defaults.
struct PriceOptions {
  std::optional<double> interruption_rate;  // spot, per instance-hour
  std::optional<double> restart_s;
  std::optional<double> storage_gbps;      // per node, GB/s
  std::optional<double> storage_cap_gbps;  // aggregate, GB/s
  bool on_notice = false;
  double egress_gb = 0;
  std::optional<double> gpu_utilization;  // default: the simulated compute share of the step
  int monte_carlo = 0;
  std::uint64_t seed = 1;
};

struct PriceRun {
  std::string scenario_name;
  const pricing::Instance* instance = nullptr;  // the job's
  pricing::PricingModel chosen = pricing::PricingModel::kOnDemand;
  int nodes = 0;
  int gpus = 0;
  models::StepResult step;  // when infeasible, nothing below is filled
  std::vector<std::string> notes;
  std::string rate_source;  // where the spot interruption rate comes from
  pricing::CostInput input;
  pricing::CostEstimate estimate;
  // The step's error bars and, when known, the run re-priced at the band's ends: step x
  // (1 - sigma) and step x (1 + sigma). Re-pricing (rather than scaling the cost) keeps spot's
  // checkpoint interval and lost work right at each end.
  models::Uncertainty uncertainty;
  std::optional<pricing::CostEstimate> at_low, at_high;
  std::vector<std::pair<pricing::PricingModel, pricing::MonteCarloResult>> monte_carlo;
};

// Throws InputError at cluster.instance when the scenario names no single catalog instance
// (`price` prices a pinned configuration; `plan` searches). Call before resolving the job.
void check_priceable(const scenarios::Scenario& s);

// `job` resolved with resolve_pinned from a scenario that passed check_priceable. Throws the
// catalog's InputError (with a suggestion) when the instance is not in the job's catalogs.
PriceRun run_price(const Job& job, const PriceOptions& options);

}  // namespace cirrus::app
