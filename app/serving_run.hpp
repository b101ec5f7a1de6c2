#pragma once
// `serve`'s request-level simulation (a scenario with a `serving` block): the scenario's
// requests (synthetic or a trace) through a fleet of `replicas` replicas of `tp` GPUs each, with
// vLLM's scheduler per replica (models/serving/), measured as latency percentiles, throughput,
// goodput, KV-cache use and cost per million tokens at the catalog's on-demand price.
#include <optional>
#include <string>
#include <vector>

#include "app/job.hpp"
#include "app/serving_disagg.hpp"
#include "app/serving_scaling.hpp"
#include "models/serving/batch_trace.hpp"
#include "models/serving/kv_cache.hpp"
#include "models/serving/serving_metrics.hpp"
#include "models/serving/serving_spec.hpp"
#include "pricing/serving_cost.hpp"

namespace cirrus::app {

// The fleet's price (pricing/serving_cost.hpp).
using ServingCost = pricing::ServingCost;

// The error bar of the simulated output throughput, from the serving rows of the residuals
// (`serving_groups`, written by `validate --all --write-residuals`): the group of the GPU's
// family and the run's precision when it has 5 rows or more, else all serving rows with sigma
// widened by sqrt(2) (as a step's pooled band is), else unknown. No published latency is
// validated yet, so latencies carry none.
struct ServingErrorBar {
  bool known = false;
  double sigma = 0;            // relative, 1 sigma, widening included
  std::optional<double> bias;  // the group's median signed error, reported, never applied
  int rows = 0;
  double factor = 1;
  std::string basis;  // in words; why not when unknown
};

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
  ServingErrorBar throughput_error;
  std::optional<ServingCost> cost;
  std::string cost_missing;  // why there is no cost
  bool prefix_caching = false;
  std::int64_t swap_host_blocks = 0;  // preemption by swap: the swap space per replica, blocks
  double swap_gbyte_per_s = 0;        // and the host link it is copied over, per GPU
  std::optional<models::BatchTrace> trace;  // the iterations, when asked for
  std::vector<std::string> assumptions;
  std::optional<DisaggSummary> disagg;  // serving.disaggregation's pools and link
  models::LatencySamples samples;       // with keep_samples: every request's latencies
  // serving.autoscaling or serving.spot: how the fleet changed (absent for a fixed fleet).
  std::optional<ScaledFleet> scaled;
};

struct ServingRunOptions {
  bool trace = false;  // record the iterations (the first trace_cap of them)
  std::size_t trace_cap = models::kDefaultTraceCap;
  bool keep_samples = false;  // fill the result's per-request latencies (the report's CDFs)
};

// `job` resolved with resolve_search. Throws InputError for a scenario without a node, an
// unsupported precision, a tp the node or model cannot take, a trace that cannot be read, and a
// KV cache that cannot hold the largest request (naming the trace line or the JSON path), a
// prefix-affinity router without prefix caching and a swap on a node without a host link.
ServingResult run_serving(const Job& job, const ServingRunOptions& options = {});

}  // namespace cirrus::app
