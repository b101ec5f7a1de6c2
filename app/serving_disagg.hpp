#pragma once
// `serve` of a disaggregated fleet (serving.disaggregation; models/serving/disagg_sim.hpp): the
// two pools' tp rules and KV caches checked, the KV link taken from the node, the SLO checked
// unloaded, the fleet simulated and measured like a colocated one.
#include <string>

#include "app/serving_fleet.hpp"
#include "models/serving/kv_cache.hpp"
#include "models/serving/serving_metrics.hpp"
#include "models/serving/serving_spec.hpp"
#include "scenarios/scenario.hpp"

namespace cirrus::app {

struct DisaggSummary {
  int prefill_replicas = 1, decode_replicas = 1;
  int prefill_tp = 1, decode_tp = 1;
  models::KvTransferLink transfer = models::KvTransferLink::kNetwork;
  double link_bytes_per_s = 0, link_latency_s = 0;
  std::string link_basis;           // where the link's figures come from, in words
  double kv_bytes_per_token = 0;    // the whole model's
  models::KvCacheSize prefill_kv;   // per prefill replica
  models::KvCacheSize decode_kv;    // per decode replica
  models::LatencyStats transfer_s;  // first token to KV landed (link queue included)
  double transfer_bytes = 0;
  double prefill_busy_fraction = 0, decode_busy_fraction = 0;
  std::int64_t prefill_peak_blocks = 0, decode_peak_blocks = 0;
  int gpus() const { return prefill_replicas * prefill_tp + decode_replicas * decode_tp; }
};

struct DisaggRun {
  FleetRun run;
  DisaggSummary summary;
};

// `base` is the fleet's setup (model, node, profile, numerics, router, scheduler); the pools
// take their sizes from `spec.disaggregation`. Throws InputError naming
// serving.disaggregation.prefill_tp / decode_tp for a tp the node or model cannot take or a KV
// cache that cannot hold one request, .transfer for a link the node does not have, and
// serving.slo.* for an SLO no idle pair of replicas meets.
DisaggRun run_disaggregated(const scenarios::Scenario& s, const models::ServingSpec& spec,
                            const FleetSetup& base, const ServingRequests& requests,
                            bool keep_samples);

}  // namespace cirrus::app
