#pragma once
// The pieces of a request-level serving run that `serve` (app/serving_run.hpp) and a serving
// plan (app/serving_plan_run.hpp) share, so that a plan's re-simulation is the `serve` run of
// that configuration: the scenario's requests, vLLM's tp rule, the KV-cache checks, the SLO a
// replica cannot meet even idle, and the fleet simulated and measured.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/compute/profile.hpp"
#include "models/hardware/hardware.hpp"
#include "models/serving/batch_trace.hpp"
#include "models/serving/iteration_time.hpp"
#include "models/serving/kv_cache.hpp"
#include "models/serving/latency_samples.hpp"
#include "models/serving/offload_iteration.hpp"
#include "models/serving/prefix.hpp"
#include "models/serving/request.hpp"
#include "models/serving/serving_metrics.hpp"
#include "models/serving/serving_spec.hpp"
#include "scenarios/scenario.hpp"

namespace cirrus::app {

struct ServingRequests {
  std::vector<models::Request> list;
  models::PrefixIds prefix;  // empty when no request carries prefix ids
  std::string file;          // where the largest request was given (trace or scenario)
  std::string path;          // its line, or the JSON path of the larger length
};

// The scenario's requests: the trace's rows, or the synthetic stream drawn from `seed`.
// Throws InputError for a trace that cannot be read or a stream with no request.
ServingRequests serving_requests(const scenarios::Scenario& s, const models::ServingSpec& spec,
                                 std::uint64_t seed);

// Why the KV cache cannot serve the requests (no block left, the largest request does not fit,
// or without chunked prefill a prompt above the budget), with the JSON path or trace line to
// blame; nullopt when it can. With pipeline stages a request must fit one engine's blocks.
struct FitProblem {
  std::string file, path, expected, found;
};
std::optional<FitProblem> fit_problem(const scenarios::Scenario& s,
                                      const models::SchedulerConfig& scheduler,
                                      const models::KvCacheSize& kv,
                                      const ServingRequests& requests);

// One configuration of a fleet on one node type.
struct FleetSetup {
  models::TransformerConfig model;
  models::NodeSpec node;
  std::shared_ptr<const models::ProfileLookup> profile;  // null: datasheet figures
  models::ServingNumerics numerics;                      // dtype, quantized weights, KV cache type
  int replicas = 1, tp = 1;
  bool expert_parallel = false;  // serving.expert_parallel
  // serving.pp: each replica pp stages of tp GPUs, simulated as pp virtual engines that each
  // have blocks / pp of the KV cache (the fleet's engine i is replica i / pp's engine i % pp).
  int pp = 1;
  models::RouterKind router = models::RouterKind::kRoundRobin;
  models::SchedulerConfig scheduler;
  // Prefix caching (the requests' prefix ids; null: off), preemption by swap (the swap space in
  // blocks per replica and a block's copy time) and the iterations' record (null: none).
  const models::PrefixIds* prefix = nullptr;
  std::int64_t host_blocks = 0;
  double swap_seconds_per_block = 0;
  models::BatchTrace* trace = nullptr;
  std::optional<models::OffloadRing> offload;  // serving.offload: each iteration a ring pass
};

// The iteration timer's setup of one of the fleet's replicas.
models::IterationSetup iteration_setup(const FleetSetup& setup);

struct FleetRun {
  models::ServingMetrics metrics;
  std::vector<std::string> assumptions;  // the compute model's
  models::LatencySamples samples;        // filled when asked for (the report's CDFs)
};

// Simulates `requests` through the fleet and measures it against `slo`. Throws InputError at
// serving.arrivals (in `file`) when the run would pass the engine's time range. `keep_samples`
// fills the run's per-request latencies.
FleetRun simulate_serving_fleet(const FleetSetup& setup, const models::KvCacheSize& kv,
                                const std::vector<models::Request>& requests,
                                const models::Slo& slo, const std::string& file,
                                bool keep_samples = false);

// The unloaded figures of the SLO check: the shortest prompt's first token alone on an idle
// replica, and one decode at that prompt's context.
struct UnloadedFigures {
  double ttft_s = 0, tpot_s = 0;
};
UnloadedFigures unloaded_figures(const FleetSetup& setup, std::int64_t prompt);

}  // namespace cirrus::app
