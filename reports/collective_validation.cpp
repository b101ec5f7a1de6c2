#include "reports/collective_validation.hpp"

#include <fmt/format.h>

#include <cstdint>

#include "reports/report_format.hpp"

namespace cirrus::reports {

using app::CollectiveValidation;
using app::ErrorStats;

namespace {

std::string mape_cell(const ErrorStats& s) {
  return s.n > 0 ? fmt::format("{:.1f}% over {} sizes (median {:+.1f}%)", s.mape * 100, s.n,
                               s.median * 100)
                 : std::string("no sizes");
}

nlohmann::json stats_json(const ErrorStats& s) {
  if (s.n == 0) return {{"sizes", 0}};
  return {{"sizes", s.n}, {"mape", round_sig(s.mape, 4)}, {"median_error", round_sig(s.median, 4)}};
}

}  // namespace

std::string render_collective_table(const CollectiveValidation& v) {
  std::string t = fmt::format("{}\n  source: {}\n  file: {}\n", v.title, v.source, v.name);
  for (const auto& c : v.curves) {
    t += fmt::format("\n  {}: {} on {} x {} ({} ranks, {} per node), {}\n", c.id, c.op, c.nodes,
                     c.node, c.ranks, c.per_node, c.dtype.empty() ? "-" : c.dtype);
    t += fmt::format("  {:>12} {:>12} {:>12} {:>12} {:>12} {:>8}  {}\n", "bytes", "measured us",
                     "cirrus us", "meas busbw", "cirrus busbw", "error", "cirrus algorithm");
    for (const auto& p : c.points) {
      t += fmt::format("  {:>12.0f} {:>12.2f} {:>12.2f} {:>12.2f} {:>12.2f} {:>+7.1f}%  {} {}\n",
                       p.bytes, p.measured_us, p.predicted_us, p.measured_busbw_gbs,
                       p.predicted_busbw_gbs, p.error * 100, p.algorithm, p.protocol);
    }
    t += fmt::format("  time MAPE, latency-bound (< 1 MiB):    {}\n", mape_cell(c.latency_bound));
    t +=
        fmt::format("  time MAPE, bandwidth-bound (>= 64 MiB): {}\n", mape_cell(c.bandwidth_bound));
    t += fmt::format("  time MAPE, every size:                 {}\n", mape_cell(c.all));
    t += fmt::format(
        "  smallest size: measured {:.1f} us, cirrus {:.1f} us; peak busbw: measured {:.1f} "
        "GB/s, cirrus {:.1f} GB/s\n",
        c.measured_floor_us, c.predicted_floor_us, c.measured_peak_busbw_gbs,
        c.predicted_peak_busbw_gbs);
  }
  if (!v.assumptions.empty()) {
    t += "\n  Assumed where the source is silent:\n";
    for (const auto& a : v.assumptions) t += fmt::format("    - {}\n", a);
  }
  return t;
}

nlohmann::json collective_json(const CollectiveValidation& v) {
  nlohmann::json curves = nlohmann::json::array();
  for (const auto& c : v.curves) {
    nlohmann::json points = nlohmann::json::array();
    for (const auto& p : c.points) {
      points.push_back({{"bytes", static_cast<std::int64_t>(p.bytes)},
                        {"measured_us", round_sig(p.measured_us)},
                        {"measured_busbw_gbs", round_sig(p.measured_busbw_gbs)},
                        {"predicted_us", round_sig(p.predicted_us)},
                        {"predicted_busbw_gbs", round_sig(p.predicted_busbw_gbs)},
                        {"error", round_sig(p.error, 4)},
                        {"algorithm", p.algorithm},
                        {"protocol", p.protocol}});
    }
    curves.push_back({{"id", c.id},
                      {"node", c.node},
                      {"nodes", c.nodes},
                      {"ranks", c.ranks},
                      {"op", c.op},
                      {"points", points},
                      {"latency_bound", stats_json(c.latency_bound)},
                      {"bandwidth_bound", stats_json(c.bandwidth_bound)},
                      {"all_sizes", stats_json(c.all)},
                      {"measured_peak_busbw_gbs", round_sig(c.measured_peak_busbw_gbs, 4)},
                      {"predicted_peak_busbw_gbs", round_sig(c.predicted_peak_busbw_gbs, 4)}});
  }
  return {{"dataset", v.title},
          {"file", v.name},
          {"source", v.source},
          {"latency_bound_below_bytes", static_cast<std::int64_t>(app::kLatencyBoundBelowBytes)},
          {"bandwidth_bound_from_bytes", static_cast<std::int64_t>(app::kBandwidthBoundFromBytes)},
          {"curves", curves},
          {"assumptions", v.assumptions}};
}

}  // namespace cirrus::reports
