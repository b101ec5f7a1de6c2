// `cirrus collective`: one collective on a node type or a scenario's cluster, network included,
// over a list of sizes, printed like nccl-tests (size, count, time, algbw, busbw).
#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "app/profiles.hpp"
#include "common/did_you_mean.hpp"
#include "common/input_error.hpp"
#include "models/network/collectives.hpp"
#include "models/network/flow_collectives.hpp"
#include "models/hardware/hardware.hpp"
#include "models/network/topology.hpp"
#include "scenarios/scenario.hpp"

namespace cirrus::cli {
namespace {

constexpr const char* kCommandLine = "command line";

[[noreturn]] void bad(const std::string& option, const std::string& expected,
                      const std::string& found) {
  throw InputError(kCommandLine, option, expected, "'" + found + "'");
}

// "1K" -> 1024, "64M", "1G", "8G", "4096": powers of 1024, an optional trailing B.
double parse_size(const std::string& text) {
  std::size_t i = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) != 0) ++i;
  if (i == 0 || i > 15) bad("--sizes", "sizes like 1K, 64M or 1G (powers of 1024)", text);
  double v = static_cast<double>(std::stoll(text.substr(0, i)));
  std::string rest = text.substr(i);
  if (!rest.empty()) {
    const char unit = static_cast<char>(std::toupper(static_cast<unsigned char>(rest[0])));
    const std::string units = "KMGT";
    const std::size_t power = units.find(unit);
    if (power != std::string::npos) {
      for (std::size_t p = 0; p <= power; ++p) v *= 1024.0;
      rest = rest.substr(1);
    }
  }
  if (rest == "B" || rest == "b") rest.clear();
  if (!rest.empty() || v <= 0) {
    bad("--sizes", "sizes like 1K, 64M or 1G (powers of 1024), each > 0", text);
  }
  return v;
}

// "1K,64M,1G", or a doubling range "1K..8G" (as nccl-tests -b 1K -e 8G -f 2), or both mixed.
std::vector<double> parse_sizes(const std::string& list) {
  std::vector<double> sizes;
  std::size_t start = 0;
  while (start <= list.size()) {
    const std::size_t comma = std::min(list.find(',', start), list.size());
    const std::string item = list.substr(start, comma - start);
    const std::size_t dots = item.find("..");
    if (dots != std::string::npos) {
      const double lo = parse_size(item.substr(0, dots));
      const double hi = parse_size(item.substr(dots + 2));
      if (hi < lo) bad("--sizes", "a range low..high with low <= high", item);
      for (double s = lo; s <= hi; s *= 2) sizes.push_back(s);
    } else {
      sizes.push_back(parse_size(item));
    }
    start = comma + 1;
  }
  return sizes;
}

std::string format_size_label(double bytes) { return fmt::format("{:.0f}", bytes); }

}  // namespace

Action add_collective(CLI::App& app) {
  struct Options {
    std::string node;
    int nodes = 1;
    std::string scenario;
    std::string op;
    std::string sizes = "1K..8G";
    std::string algorithm;  // empty: the scenario's all-reduce algorithm, else the tuner
    std::string topology;
    double oversubscription = 0;  // 0: as the scenario or non-blocking
    int gpus_per_node = 0;        // 0: all
    int switch_radix = 0;  // 0: the scenario's, else 64
    std::string routing;   // empty: the scenario's, else dmodk
    std::string model = "flow";
    std::string profile;
    int links = 0;
    std::string format = "table";
    std::string out;
  };
  auto opt = std::make_shared<Options>();
  auto* sub = app.add_subcommand(
      "collective",
      "simulate one collective like nccl-tests on a node type or a scenario's cluster");
  auto* node = sub->add_option("--node", opt->node, "node preset (e.g. dgx-h100, aws-p5)");
  auto* nodes = sub->add_option("--nodes", opt->nodes, "whole nodes (default 1)");
  auto* scenario =
      sub->add_option("--scenario", opt->scenario, "take the cluster of this scenario");
  node->excludes(scenario);
  nodes->excludes(scenario);
  sub->add_option("--op", opt->op,
                  "all_reduce, all_gather, reduce_scatter, all_to_all, broadcast, send_recv")
      ->required();
  sub->add_option("--sizes", opt->sizes,
                  "sizes in bytes, powers of 1024: 1K,64M,1G or a doubling range 1K..8G "
                  "(default 1K..8G)");
  sub->add_option("--algorithm", opt->algorithm,
                  "auto (NCCL's tuner), ring, tree, nvls, hierarchical or direct (default: the "
                  "scenario's cluster.network.algorithm for all-reduce, else auto)");
  sub->add_option("--topology", opt->topology, "fat-tree, rail-optimized or single-switch");
  sub->add_option("--oversubscription", opt->oversubscription,
                  "ratio above the leaf, >= 1 (default: the scenario's, else 1)");
  sub->add_option("--gpus-per-node", opt->gpus_per_node,
                  "ranks per node: the first K GPUs of each node (default all)");
  sub->add_option("--switch-radix", opt->switch_radix,
                  "ports per fabric switch (default: the scenario's, else 64)");
  sub->add_option("--routing", opt->routing,
                  "dmodk (destination-based, as InfiniBand) or ecmp (hashed, as Ethernet); the "
                  "scenario spellings destination-mod-k and ecmp-hash too (default: the "
                  "scenario's, else dmodk)");
  sub->add_option("--model", opt->model, "flow (links, max-min) or analytic (tuner formula)");
  sub->add_option("--profile", opt->profile,
                  "calibration profile: its measured busbw replaces the tuner's where it has the "
                  "collective at that rank and node count and size");
  sub->add_option("--links", opt->links, "also list the K busiest links of each size");
  sub->add_option("--format", opt->format, "table, json or csv")
      ->check(CLI::IsMember({"table", "json", "csv"}));
  sub->add_option("-o,--out", opt->out, "write to this file (atomically) instead of stdout");

  return [opt]() {
    const Options& o = *opt;
    // The cluster.
    models::ClusterSpec cluster;
    std::string where;
    if (!o.scenario.empty()) {
      const scenarios::Scenario s = scenarios::load_scenario(o.scenario);
      cluster = s.pinned_cluster();
      where = fmt::format("{} x {} from {}", cluster.nodes, cluster.node.id, o.scenario);
    } else {
      if (o.node.empty()) throw UsageError("collective: give --node NODE or --scenario FILE");
      const auto n = models::find_node(o.node);
      if (!n) {
        bad("--node", "a node preset" + did_you_mean_suffix(o.node, models::node_ids()), o.node);
      }
      if (o.nodes < 1) bad("--nodes", "a whole number of nodes >= 1", std::to_string(o.nodes));
      cluster.node = *n;
      cluster.nodes = o.nodes;
      where = fmt::format("{} x {}", cluster.nodes, cluster.node.id);
    }
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

    // What to run.
    const auto kind = models::collective_kind_from_string(o.op);
    if (!kind) {
      bad("--op",
          "a collective: " + fmt::format("{}", fmt::join(models::collective_kind_names(), ", ")) +
              did_you_mean_suffix(o.op, models::collective_kind_names()),
          o.op);
    }
    models::CollectiveOptions copt;
    // A scenario's network settings apply unless the command line overrides them; its pinned
    // algorithm is an all-reduce algorithm (as in simulate), other collectives keep theirs.
    copt.topology = models::topology_options(cluster.network);
    if (o.algorithm.empty() && *kind == models::CollectiveKind::kAllReduce) {
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
      const auto lookup = app::profile_from_file(o.profile, cluster.node.gpu);
      copt.profile = [lookup](models::CollectiveKind k, double bytes, int ranks, int node_count) {
        return lookup->collective_busbw(k, ranks, node_count, bytes);
      };
    }
    copt.top_links = o.links > 0 ? static_cast<std::size_t>(o.links) : 0;
    const std::vector<double> sizes = parse_sizes(o.sizes);

    const models::NetworkTopology topology(cluster, copt.topology);
    const int gpn = cluster.node.gpus;
    const int per_node = o.gpus_per_node == 0 ? gpn : o.gpus_per_node;
    if (per_node < 1 || per_node > gpn) {
      bad("--gpus-per-node", fmt::format("1..{} (the node's GPUs)", gpn),
          std::to_string(o.gpus_per_node));
    }
    std::vector<int> ranks;
    for (int k = 0; k < cluster.nodes; ++k) {
      for (int g = 0; g < per_node; ++g) ranks.push_back(k * gpn + g);
    }

    std::vector<models::CollectiveRun> runs;
    runs.reserve(sizes.size());
    for (const double b : sizes) {
      runs.push_back(models::simulate_collective(topology, *kind, b, ranks, copt));
    }

    std::string text;
    if (o.format == "json") {
      nlohmann::ordered_json list = nlohmann::ordered_json::array();
      for (const auto& r : runs) {
        nlohmann::ordered_json j;
        j["bytes"] = static_cast<std::int64_t>(r.bytes);
        j["count"] = static_cast<std::int64_t>(r.bytes / 4);
        j["time_us"] = r.seconds * 1e6;
        j["algbw_gbs"] = r.algbw / 1e9;
        j["busbw_gbs"] = r.busbw / 1e9;
        j["algorithm"] = models::to_string(r.algorithm);
        j["protocol"] = r.from_profile ? "profile" : models::to_string(r.protocol);
        if (o.links > 0) {
          nlohmann::ordered_json links = nlohmann::ordered_json::array();
          for (const auto& l : r.links) {
            links.push_back({{"link", l.name}, {"utilization", l.utilization}});
          }
          j["links"] = links;
        }
        list.push_back(j);
      }
      text = list.dump(1) + "\n";
    } else if (o.format == "csv") {
      text = "bytes,count,type,algorithm,protocol,time_us,algbw_gbs,busbw_gbs\n";
      for (const auto& r : runs) {
        text +=
            fmt::format("{},{:.0f},float,{},{},{:.3f},{:.3f},{:.3f}\n", format_size_label(r.bytes),
                        std::floor(r.bytes / 4), models::to_string(r.algorithm),
                        r.from_profile ? "profile" : models::to_string(r.protocol), r.seconds * 1e6,
                        r.algbw / 1e9, r.busbw / 1e9);
      }
    } else {
      text +=
          fmt::format("# cirrus collective: {} on {} ({} ranks, {} per node), {}{}, {} model\n",
                      models::to_string(*kind), where, ranks.size(), per_node,
                      cluster.nodes > 1 ? models::to_string(cluster.network.topology) : "one node",
                      cluster.nodes > 1 && cluster.network.oversubscription > 1
                          ? fmt::format(" {}:1", cluster.network.oversubscription)
                          : std::string(),
                      models::to_string(copt.model));
      text += fmt::format("# algbw = size / time; busbw = algbw x {} (nccl-tests)\n#\n",
                          *kind == models::CollectiveKind::kAllReduce ? "2(n-1)/n"
                          : *kind == models::CollectiveKind::kSendRecv ||
                                  *kind == models::CollectiveKind::kBroadcast
                              ? "1"
                              : "(n-1)/n");
      text += fmt::format("# {:>12} {:>12} {:>6} {:>12} {:>8} {:>12} {:>8} {:>8}\n", "size",
                          "count", "type", "algorithm", "protocol", "time", "algbw", "busbw");
      text += fmt::format("# {:>12} {:>12} {:>6} {:>12} {:>8} {:>12} {:>8} {:>8}\n", "(B)",
                          "(elements)", "", "", "", "(us)", "(GB/s)", "(GB/s)");
      for (const auto& r : runs) {
        text += fmt::format("  {:>12} {:>12.0f} {:>6} {:>12} {:>8} {:>12.2f} {:>8.2f} {:>8.2f}\n",
                            format_size_label(r.bytes), std::floor(r.bytes / 4), "float",
                            models::to_string(r.algorithm),
                            r.from_profile ? "profile" : models::to_string(r.protocol),
                            r.seconds * 1e6, r.algbw / 1e9, r.busbw / 1e9);
        for (const auto& l : r.links) {
          text += fmt::format("#   {:>5.1f}%  {}\n", 100 * l.utilization, l.name);
        }
      }
    }
    emit(text, o.out);
    return kExitOk;
  };
}

}  // namespace cirrus::cli
