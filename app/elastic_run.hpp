#pragma once
// `elastic`'s job: the scenario's run with its node count changing as `elastic.schedule` says
// (models/systems/elastic_run.hpp), or as seeded spot interruptions say (`elastic.spot`,
// models/systems/elastic_spot.hpp), each phase's step simulated with the job's profile. A spot
// run is priced at the spot price, beside the fixed-node run at the on-demand price.
#include <optional>
#include <string>

#include "app/job.hpp"
#include "models/systems/elastic_run.hpp"
#include "models/systems/elastic_spot.hpp"

namespace cirrus::app {

struct ElasticResult {
  std::string scenario_name;
  double tokens = 0;         // the run's training.tokens
  std::string calibration;   // of the job's profile (models::calibration_of)
  std::string price_note;    // the price per node-hour and its model, or why costs are 0
  models::ElasticSpec spec;  // the scenario's, with the spot rate filled in when defaulted
  std::string rate_note;     // where a defaulted spot rate comes from; empty when given
  int nodes = 0;             // the pinned node count (the fixed run's)
  models::ElasticRun run;
  // spot only: fixed nodes at the on-demand price; absent when that run cannot complete
  std::optional<models::ElasticRun> fixed;
  double on_demand_usd = 0;  // per node-hour
};

// Throws InputError when the scenario has no elastic block or no training.tokens. Call before
// resolving the job, so that these come before any other error.
void check_elastic(const scenarios::Scenario& s);

// `job` resolved with resolve_pinned. Throws check_elastic's errors, and InputError for a spot
// block without a rate and without a catalog instance.
ElasticResult run_elastic(const Job& job);

}  // namespace cirrus::app
