#pragma once
// The disaggregated fleet's part of `serve`'s output (app/serving_disagg.hpp): its fleet line,
// its pools' KV caches, transfers and busy time, as table lines and as a JSON object.
#include <string>

#include <nlohmann/json.hpp>

#include "app/serving_run.hpp"

namespace cirrus::reports {

// "P prefill replicas x tp a + D decode replicas x tp b (N GPUs)"
std::string disagg_fleet_words(const app::DisaggSummary& d);
// Indented lines, each ending in a newline: the pools' KV caches, the transfers, busy time.
std::string disagg_table_lines(const app::DisaggSummary& d);
nlohmann::ordered_json disagg_json(const app::DisaggSummary& d);

}  // namespace cirrus::reports
