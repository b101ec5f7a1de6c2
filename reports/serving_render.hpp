#pragma once
// `serve`'s request-level outputs (app/serving_run.hpp): latency percentiles, throughput,
// goodput, KV-cache use, preemptions, busy fraction, Little's law and cost per million tokens,
// as a table or as JSON (keys in a fixed order, numbers to 6 significant digits).
#include <string>

#include "app/serving_run.hpp"

namespace cirrus::reports {

// `format`: "table" or "json".
std::string render_serving(const app::ServingResult& r, const std::string& format);

}  // namespace cirrus::reports
