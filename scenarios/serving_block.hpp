#pragma once
// Reader of the scenario's `serving` block (docs/CONTRACT.md, "serving (added)"): request-level
// serving simulation (`cirrus serve`). Every key is checked; a bad value throws InputError with
// its JSON path (`serving.arrivals.rate_per_s`). A trace's path is resolved beside the scenario
// file; the trace itself is read when the scenario runs (scenarios/trace_reader.hpp).
#include "common/json_reader.hpp"
#include "models/serving/serving_spec.hpp"

namespace cirrus::scenarios {

// Upper bounds of the block's sizes (CONTRACT.md, "Limits"): far above vLLM's defaults and any
// fleet a single scenario describes, small enough for the simulation's memory and time.
inline constexpr std::int64_t kMaxReplicas = 1 << 16;
inline constexpr std::int64_t kMaxNumSeqs = 1 << 20;
inline constexpr std::int64_t kMaxBatchedTokens = 1 << 20;
inline constexpr std::int64_t kMaxBlockSize = 1 << 10;
inline constexpr double kMaxArrivalRate = 1e7;  // requests per second
inline constexpr std::int64_t kMaxPrefixGroups = 1 << 20;
inline constexpr double kMaxSwapSpaceGib = 1 << 16;  // per GPU: 64 TiB, far above any host

models::ServingSpec read_serving(const JsonNode& n);

}  // namespace cirrus::scenarios
