#pragma once
// `serve`'s request-level simulation (a scenario with a `serving` block): the scenario's
// requests (synthetic or a trace) through a fleet of `replicas` replicas of `tp` GPUs each, with
// vLLM's scheduler per replica (models/serving/), measured as latency percentiles, throughput,
// goodput, KV-cache use and cost per million tokens at the catalog's on-demand price.
#include <optional>
#include <string>
#include <vector>

#include "app/job.hpp"
#include "models/serving/batch_trace.hpp"
#include "models/serving/kv_cache.hpp"
#include "models/serving/serving_metrics.hpp"
#include "models/serving/serving_spec.hpp"

namespace cirrus::app {

// The fleet's price: the instance's on-demand hourly price for the share of its GPUs the fleet
// uses (replicas x tp of its GPUs), over the makespan; split between input and output tokens by
// the share of busy time spent on prefill tokens (ServingMetrics::prefill_share).
struct ServingCost {
  std::string instance;  // catalog id
  double usd_per_instance_hour = 0;
  double instance_gpus = 0;
  double usd_per_hour = 0;  // the fleet's share
  double usd_total = 0;     // over the makespan
  double usd_per_million_input = 0;
  double usd_per_million_output = 0;
  double usd_per_million_tokens = 0;  // input and output together
  std::string source, retrieved;
  bool verified = true;
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
  std::optional<ServingCost> cost;
  std::string cost_missing;  // why there is no cost
  bool prefix_caching = false;
  std::int64_t swap_host_blocks = 0;  // preemption by swap: the swap space per replica, blocks
  double swap_gbyte_per_s = 0;        // and the host link it is copied over, per GPU
  std::optional<models::BatchTrace> trace;  // the iterations, when asked for
  std::vector<std::string> assumptions;
};

struct ServingRunOptions {
  bool trace = false;  // record the iterations (the first trace_cap of them)
  std::size_t trace_cap = models::kDefaultTraceCap;
};

// `job` resolved with resolve_search. Throws InputError for a scenario without a node, an
// unsupported precision, a tp the node or model cannot take, a trace that cannot be read, and a
// KV cache that cannot hold the largest request (naming the trace line or the JSON path), a
// prefix-affinity router without prefix caching and a swap on a node without a host link.
ServingResult run_serving(const Job& job, const ServingRunOptions& options = {});

}  // namespace cirrus::app
