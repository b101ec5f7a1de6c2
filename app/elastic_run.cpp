#include "app/elastic_run.hpp"

#include <fmt/format.h>

#include "common/input_error.hpp"
#include "models/step/simulate.hpp"
#include "pricing/cost_model.hpp"

namespace cirrus::app {

void check_elastic(const scenarios::Scenario& s) {
  if (!s.elastic) {
    throw InputError(s.file, "elastic", "an elastic block with a schedule", "nothing");
  }
  if (s.training.tokens <= 0) {
    throw InputError(s.file, "training.tokens", "the run's tokens (an elastic run needs them)",
                     "nothing");
  }
}

ElasticResult run_elastic(const Job& job) {
  const scenarios::Scenario& s = job.scenario;
  check_elastic(s);
  const models::StepInput& base = job.pinned();
  ElasticResult out;
  out.scenario_name = s.name;
  out.tokens = s.training.tokens;
  out.calibration = models::calibration_of(base.profile.get());
  out.nodes = base.cluster.nodes;
  out.spec = *s.elastic;
  // Price per node-hour under the scenario's pricing model, when the catalogs have it.
  // A spot run is priced at the spot price, beside the fixed run at the on-demand price.
  const bool spot = s.elastic->spot.has_value();
  double usd = 0;
  out.price_note = "no instance price: costs are 0";
  if (job.instance != nullptr) {
    const auto model = spot ? pricing::PricingModel::kSpot : s.pricing.model;
    if (auto p = job.instance->prices.get(model)) {
      usd = *p;
      out.price_note = fmt::format("{} at ${:.2f} per node-hour ({})", s.instance.value(), usd,
                                   pricing::to_string(model));
    }
    if (auto p = job.instance->prices.get(pricing::PricingModel::kOnDemand)) {
      out.on_demand_usd = *p;
    }
  }
  if (spot && out.spec.spot->per_node_hour < 0) {
    // No rate given: the catalog's default spot rate (pricing/cost_model.hpp).
    if (job.instance == nullptr) {
      throw InputError(s.file, "elastic.spot.interruptions_per_node_hour",
                       "a rate (the default needs a cluster.instance in the catalogs)", "nothing");
    }
    const pricing::RateDefault d = pricing::default_spot_interruption_rate(*job.instance);
    out.spec.spot->per_node_hour = d.per_instance_hour;
    out.rate_note = d.source;
  }
  const models::StepFn simulate = [](const models::StepInput& in) {
    return models::simulate_step(in);
  };
  out.run = spot ? models::spot_elastic_run(base, out.spec, *out.spec.spot, usd, simulate)
                 : models::elastic_run(base, *s.elastic, usd, simulate);
  if (spot) {
    models::ElasticSpec f = *s.elastic;
    f.spot.reset();
    f.schedule = {{0, base.cluster.nodes}};
    out.fixed = models::elastic_run(base, f, out.on_demand_usd, simulate);
    // A fixed run that cannot complete has no hours or cost to compare with: none, not $0.
    if (!out.fixed->completes) out.fixed.reset();
  }
  return out;
}

}  // namespace cirrus::app
