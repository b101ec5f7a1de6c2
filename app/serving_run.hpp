#pragma once
// `serve`'s request-level simulation (a scenario with a `serving` block): the scenario's
// requests (synthetic or a trace) through a fleet of `replicas` replicas of `tp` GPUs each, with
// vLLM's scheduler per replica (models/serving/), measured as latency percentiles, throughput,
// goodput, KV-cache use and cost per million tokens at the catalog's on-demand price.
#include <optional>
#include <string>
#include <vector>

#include "app/job.hpp"
#include "app/serving_scaling.hpp"
#include "models/serving/kv_cache.hpp"
#include "models/serving/serving_metrics.hpp"
#include "models/serving/serving_spec.hpp"
#include "pricing/serving_cost.hpp"

namespace cirrus::app {

// The fleet's price (pricing/serving_cost.hpp).
using ServingCost = pricing::ServingCost;

struct ServingResult {
  std::string scenario_name;
  std::string model_name;
  double parameters = 0;
  std::string gpu;      // display name
  std::string node_id;  // preset id or "inline"
  models::ServingSpec spec;
  std::string arrivals;  // in words: "Poisson at 20/s", "trace azure-csv (FILE)"
  models::KvCacheSize kv;
  models::ServingMetrics metrics;
  std::optional<ServingCost> cost;
  std::string cost_missing;  // why there is no cost
  std::vector<std::string> assumptions;
  // serving.autoscaling or serving.spot: how the fleet changed (absent for a fixed fleet).
  std::optional<ScaledFleet> scaled;
};

// `job` resolved with resolve_search. Throws InputError for a scenario without a node, an
// unsupported precision, a tp the node or model cannot take, a trace that cannot be read, and a
// KV cache that cannot hold the largest request (naming the trace line or the JSON path).
ServingResult run_serving(const Job& job);

}  // namespace cirrus::app
