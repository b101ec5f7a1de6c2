#include "reports/collective_render.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>

namespace cirrus::reports {
namespace {

std::string size_label(double bytes) { return fmt::format("{:.0f}", bytes); }

std::string protocol(const models::CollectiveRun& r) {
  return r.from_profile ? "profile" : models::to_string(r.protocol);
}

std::string render_json(const app::CollectiveResult& c) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& r : c.runs) {
    nlohmann::ordered_json j;
    j["bytes"] = static_cast<std::int64_t>(r.bytes);
    j["count"] = static_cast<std::int64_t>(r.bytes / 4);
    j["time_us"] = r.seconds * 1e6;
    j["algbw_gbs"] = r.algbw / 1e9;
    j["busbw_gbs"] = r.busbw / 1e9;
    j["algorithm"] = models::to_string(r.algorithm);
    j["protocol"] = protocol(r);
    if (c.links > 0) {
      nlohmann::ordered_json links = nlohmann::ordered_json::array();
      for (const auto& l : r.links) {
        links.push_back({{"link", l.name}, {"utilization", l.utilization}});
      }
      j["links"] = links;
    }
    list.push_back(j);
  }
  return list.dump(1) + "\n";
}

std::string render_csv(const app::CollectiveResult& c) {
  std::string text = "bytes,count,type,algorithm,protocol,time_us,algbw_gbs,busbw_gbs\n";
  for (const auto& r : c.runs) {
    text += fmt::format("{},{:.0f},float,{},{},{:.3f},{:.3f},{:.3f}\n", size_label(r.bytes),
                        std::floor(r.bytes / 4), models::to_string(r.algorithm), protocol(r),
                        r.seconds * 1e6, r.algbw / 1e9, r.busbw / 1e9);
  }
  return text;
}

// nccl-tests' bus factor, as its header states it.
const char* bus_factor(models::CollectiveKind kind) {
  if (kind == models::CollectiveKind::kAllReduce) return "2(n-1)/n";
  if (kind == models::CollectiveKind::kSendRecv || kind == models::CollectiveKind::kBroadcast) {
    return "1";
  }
  return "(n-1)/n";
}

std::string render_table(const app::CollectiveResult& c) {
  const models::ClusterSpec& cluster = c.cluster;
  std::string text =
      fmt::format("# cirrus collective: {} on {} ({} ranks, {} per node), {}{}, {} model\n",
                  models::to_string(c.kind), c.where, c.ranks, c.per_node,
                  cluster.nodes > 1 ? models::to_string(cluster.network.topology) : "one node",
                  cluster.nodes > 1 && cluster.network.oversubscription > 1
                      ? fmt::format(" {}:1", cluster.network.oversubscription)
                      : std::string(),
                  models::to_string(c.model));
  text += fmt::format("# algbw = size / time; busbw = algbw x {} (nccl-tests)\n#\n",
                      bus_factor(c.kind));
  text += fmt::format("# {:>12} {:>12} {:>6} {:>12} {:>8} {:>12} {:>8} {:>8}\n", "size", "count",
                      "type", "algorithm", "protocol", "time", "algbw", "busbw");
  text += fmt::format("# {:>12} {:>12} {:>6} {:>12} {:>8} {:>12} {:>8} {:>8}\n", "(B)",
                      "(elements)", "", "", "", "(us)", "(GB/s)", "(GB/s)");
  for (const auto& r : c.runs) {
    text += fmt::format("  {:>12} {:>12.0f} {:>6} {:>12} {:>8} {:>12.2f} {:>8.2f} {:>8.2f}\n",
                        size_label(r.bytes), std::floor(r.bytes / 4), "float",
                        models::to_string(r.algorithm), protocol(r), r.seconds * 1e6, r.algbw / 1e9,
                        r.busbw / 1e9);
    for (const auto& l : r.links) {
      text += fmt::format("#   {:>5.1f}%  {}\n", 100 * l.utilization, l.name);
    }
  }
  return text;
}

}  // namespace

std::string render_collective(const app::CollectiveResult& result, const std::string& format) {
  if (format == "json") return render_json(result);
  if (format == "csv") return render_csv(result);
  return render_table(result);
}

}  // namespace cirrus::reports
