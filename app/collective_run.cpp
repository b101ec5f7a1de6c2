#include "app/collective_run.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "app/collective_sizes.hpp"
#include "app/profiles.hpp"
#include "common/did_you_mean.hpp"
#include "common/input_error.hpp"
#include "models/network/topology.hpp"
#include "scenarios/scenario.hpp"

namespace cirrus::app {
namespace {

[[noreturn]] void bad(const std::string& option, const std::string& expected,
                      const std::string& found) {
  throw InputError("command line", option, expected, "'" + found + "'");
}

// The scenario's cluster, or `nodes` nodes of the preset; `where` says which.
models::ClusterSpec cluster_of(const CollectiveRequest& o, std::string& where) {
  models::ClusterSpec cluster;
  if (!o.scenario.empty()) {
    const scenarios::Scenario s = scenarios::load_scenario(o.scenario);
    cluster = s.pinned_cluster();
    where = fmt::format("{} x {} from {}", cluster.nodes, cluster.node.id, o.scenario);
    return cluster;
  }
  if (o.node.empty()) throw UsageError("collective: give --node NODE or --scenario FILE");
  const auto n = models::find_node(o.node);
  if (!n) bad("--node", "a node preset" + did_you_mean_suffix(o.node, models::node_ids()), o.node);
  if (o.nodes < 1) bad("--nodes", "a whole number of nodes >= 1", std::to_string(o.nodes));
  cluster.node = *n;
  cluster.nodes = o.nodes;
  where = fmt::format("{} x {}", cluster.nodes, cluster.node.id);
  return cluster;
}

void apply_network(const CollectiveRequest& o, models::ClusterSpec& cluster) {
  if (!o.topology.empty()) {
    const std::vector<std::string> names = {"fat-tree", "rail-optimized", "single-switch"};
    const auto it = std::find(names.begin(), names.end(), o.topology);
    if (it == names.end()) {
      bad("--topology",
          "fat-tree, rail-optimized or single-switch" + did_you_mean_suffix(o.topology, names),
          o.topology);
    }
    cluster.network.topology = static_cast<models::Topology>(it - names.begin());
  }
  if (o.oversubscription != 0) cluster.network.oversubscription = o.oversubscription;
}

models::CollectiveKind kind_of(const std::string& op) {
  const auto kind = models::collective_kind_from_string(op);
  if (!kind) {
    bad("--op",
        "a collective: " + fmt::format("{}", fmt::join(models::collective_kind_names(), ", ")) +
            did_you_mean_suffix(op, models::collective_kind_names()),
        op);
  }
  return *kind;
}

models::CollectiveOptions options_of(const CollectiveRequest& o, const models::ClusterSpec& cluster,
                                     models::CollectiveKind kind) {
  models::CollectiveOptions copt;
  // A scenario's pinned algorithm is an all-reduce algorithm (as in simulate): other
  // collectives keep the tuner's choice.
  copt.topology = models::topology_options(cluster.network);
  if (o.algorithm.empty() && kind == models::CollectiveKind::kAllReduce) {
    copt.algorithm = cluster.network.algorithm;
  }
  if (!o.algorithm.empty() && o.algorithm != "auto") {
    const auto a = models::algorithm_from_string(o.algorithm);
    if (!a) {
      const std::vector<std::string> names = {"auto", "ring",         "tree",
                                              "nvls", "hierarchical", "direct"};
      bad("--algorithm",
          "auto, ring, tree, nvls, hierarchical or direct" +
              did_you_mean_suffix(o.algorithm, names),
          o.algorithm);
    }
    copt.algorithm = a;
  }
  if (o.model == "analytic") {
    copt.model = models::NetworkModel::kAnalytic;
  } else if (o.model != "flow") {
    bad("--model", "flow or analytic", o.model);
  }
  if (o.routing == "ecmp" || o.routing == "ecmp-hash") {
    copt.topology.routing = models::Routing::kEcmpHash;
  } else if (o.routing == "dmodk" || o.routing == "destination-mod-k") {
    copt.topology.routing = models::Routing::kDestinationModK;
  } else if (!o.routing.empty()) {
    bad("--routing", "dmodk (destination-mod-k) or ecmp (ecmp-hash)", o.routing);
  }
  if (o.switch_radix != 0) copt.topology.switch_radix = o.switch_radix;
  if (!o.profile.empty()) {
    const auto lookup = profile_from_file(o.profile, cluster.node.gpu);
    copt.profile = [lookup](models::CollectiveKind k, double bytes, int ranks, int node_count) {
      return lookup->collective_busbw(k, ranks, node_count, bytes);
    };
  }
  copt.top_links = o.links > 0 ? static_cast<std::size_t>(o.links) : 0;
  return copt;
}

}  // namespace

CollectiveResult run_collective(const CollectiveRequest& request) {
  CollectiveResult out;
  out.cluster = cluster_of(request, out.where);
  apply_network(request, out.cluster);
  out.kind = kind_of(request.op);
  const models::CollectiveOptions copt = options_of(request, out.cluster, out.kind);
  out.model = copt.model;
  out.links = request.links;
  const std::vector<double> sizes = parse_sizes(request.sizes);

  const models::NetworkTopology topology(out.cluster, copt.topology);
  const int gpn = out.cluster.node.gpus;
  out.per_node = request.gpus_per_node == 0 ? gpn : request.gpus_per_node;
  if (out.per_node < 1 || out.per_node > gpn) {
    bad("--gpus-per-node", fmt::format("1..{} (the node's GPUs)", gpn),
        std::to_string(request.gpus_per_node));
  }
  std::vector<int> ranks;
  for (int k = 0; k < out.cluster.nodes; ++k) {
    for (int g = 0; g < out.per_node; ++g) ranks.push_back(k * gpn + g);
  }
  out.ranks = ranks.size();
  out.runs.reserve(sizes.size());
  for (const double b : sizes) {
    out.runs.push_back(models::simulate_collective(topology, out.kind, b, ranks, copt));
  }
  return out;
}

}  // namespace cirrus::app
