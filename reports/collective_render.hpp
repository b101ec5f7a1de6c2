#pragma once
// `collective`'s outputs (app/collective_run.hpp), with nccl-tests' columns: size, count (of
// floats), type, algorithm, protocol ("profile" where a profile's measured busbw gave the
// time), time, algbw and busbw, and the busiest links when asked.
//   table  nccl-tests' own layout, a `#` header naming the cluster and the bus factor;
//   json   a list of {"bytes", "count", "time_us", "algbw_gbs", "busbw_gbs", "algorithm",
//          "protocol"[, "links"]} (CONTRACT.md);
//   csv    one row per size.
#include <string>

#include "app/collective_run.hpp"

namespace cirrus::reports {

// `format`: "table", "json" or "csv".
std::string render_collective(const app::CollectiveResult& result, const std::string& format);

}  // namespace cirrus::reports
