#include "app/collective_validation.hpp"

#include <algorithm>
#include <filesystem>

#include "models/network/flow_collectives.hpp"
#include "models/network/topology.hpp"

namespace cirrus::app {
namespace {

CollectiveCurveResult run_curve(const scenarios::CollectiveCurve& c) {
  CollectiveCurveResult out;
  out.id = c.id;
  out.source = c.source;
  out.stated = c.stated;
  out.note = c.note;
  out.node = c.cluster.node.id;
  out.nodes = c.cluster.nodes;
  out.per_node = c.gpus_per_node;
  out.op = models::to_string(c.op);
  out.dtype = c.dtype;
  // As `cirrus collective --node NODE --nodes N --op OP` builds it: the cluster's default
  // network, the tuner's choice, the flow model, the first gpus_per_node GPUs of each node.
  models::CollectiveOptions copt;
  copt.topology = models::topology_options(c.cluster.network);
  copt.top_links = 0;
  const models::NetworkTopology topology(c.cluster, copt.topology);
  std::vector<int> ranks;
  for (int k = 0; k < c.cluster.nodes; ++k) {
    for (int g = 0; g < c.gpus_per_node; ++g) ranks.push_back(k * c.cluster.node.gpus + g);
  }
  out.ranks = static_cast<int>(ranks.size());
  std::vector<double> lat, bw, all;
  for (const auto& p : c.points) {
    const auto r = models::simulate_collective(topology, c.op, p.bytes, ranks, copt);
    CollectivePointResult pr;
    pr.bytes = p.bytes;
    pr.measured_us = p.time_us;
    pr.measured_busbw_gbs = p.busbw_gbs;
    pr.predicted_us = r.seconds * 1e6;
    pr.predicted_busbw_gbs = r.busbw / 1e9;
    pr.error = (pr.predicted_us - pr.measured_us) / pr.measured_us;
    pr.algorithm = models::to_string(r.algorithm);
    pr.protocol = r.from_profile ? "profile" : models::to_string(r.protocol);
    all.push_back(pr.error);
    if (p.bytes < kLatencyBoundBelowBytes) lat.push_back(pr.error);
    if (p.bytes >= kBandwidthBoundFromBytes) bw.push_back(pr.error);
    out.measured_peak_busbw_gbs = std::max(out.measured_peak_busbw_gbs, pr.measured_busbw_gbs);
    out.predicted_peak_busbw_gbs = std::max(out.predicted_peak_busbw_gbs, pr.predicted_busbw_gbs);
    out.points.push_back(pr);
  }
  const auto smallest =
      std::min_element(out.points.begin(), out.points.end(),
                       [](const auto& a, const auto& b) { return a.bytes < b.bytes; });
  out.measured_floor_us = smallest->measured_us;
  out.predicted_floor_us = smallest->predicted_us;
  out.latency_bound = error_stats(lat);
  out.bandwidth_bound = error_stats(bw);
  out.all = error_stats(all);
  return out;
}

}  // namespace

CollectiveValidation run_collective_validation(const scenarios::CollectiveValidationSet& set) {
  CollectiveValidation v;
  v.file = set.file;
  v.name = std::filesystem::path(set.file).filename().string();
  v.title = set.title;
  v.source = set.source;
  v.assumptions = set.assumptions;
  for (const auto& c : set.curves) v.curves.push_back(run_curve(c));
  return v;
}

}  // namespace cirrus::app
