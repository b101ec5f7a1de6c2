// Property tests of the flow network model on random, seeded clusters and collectives:
// aggregated classes get the rates the unaggregated flows get, bytes are conserved over the
// links, no link carries more than its capacity, and reruns are bit-identical.
#include <fmt/format.h>
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/rng.hpp"
#include "models/hardware/hardware.hpp"
#include "models/network/collectives.hpp"
#include "models/network/flow_collectives.hpp"
#include "models/network/topology.hpp"
#include "sim/maxmin_solver.hpp"
#include "sim/task_graph.hpp"

namespace cirrus::models {
namespace {

std::uint64_t below(Rng& rng, std::uint64_t n) { return rng.next() % n; }

bool close(double a, double b, double rel) {
  if (a == b) return true;
  return std::fabs(a - b) <= rel * std::max(std::fabs(a), std::fabs(b));
}

struct Case {
  ClusterSpec cluster;
  TopologyOptions topology;
  CollectiveKind kind = CollectiveKind::kAllReduce;
  std::optional<Algorithm> algorithm;
  std::vector<int> ranks;
  double bytes = 0;
  std::string describe() const {
    return fmt::format("{} x {} {} o={} radix {} {} {} {} bytes {} ranks {}", cluster.node.id,
                       cluster.nodes, to_string(cluster.network.topology),
                       cluster.network.oversubscription, topology.switch_radix,
                       to_string(topology.routing), to_string(kind),
                       algorithm ? to_string(*algorithm) : "auto", bytes, fmt::join(ranks, " "));
  }
};

Case random_case(std::uint64_t seed) {
  Rng rng(seed);
  const std::vector<std::string> nodes = {"dgx-a100-80gb", "dgx-h100",       "aws-p4d",
                                          "aws-p5",        "gcp-a3-highgpu", "l4-x8"};
  Case c;
  c.cluster.node = *find_node(nodes[below(rng, nodes.size())]);
  c.cluster.nodes = 1 + static_cast<int>(below(rng, 10));
  c.cluster.network.topology = static_cast<Topology>(below(rng, 3));
  const double ratios[] = {1.0, 1.5, 2.0, 3.0, 4.0};
  c.cluster.network.oversubscription = ratios[below(rng, 5)];
  const int radices[] = {4, 8, 16, 64};
  c.topology.switch_radix = radices[below(rng, 4)];
  c.topology.routing = below(rng, 2) == 0 ? Routing::kDestinationModK : Routing::kEcmpHash;
  c.kind = static_cast<CollectiveKind>(below(rng, 6));
  // Ranks: the first k GPUs of a random subset of nodes, in a random order.
  const int gpn = c.cluster.node.gpus;
  const int per_node = 1 + static_cast<int>(below(rng, static_cast<std::uint64_t>(gpn)));
  std::vector<int> chosen;
  for (int k = 0; k < c.cluster.nodes; ++k) {
    if (k == 0 || below(rng, 3) != 0) chosen.push_back(k);
  }
  for (const int k : chosen) {
    for (int g = 0; g < per_node; ++g) c.ranks.push_back(k * gpn + g);
  }
  for (std::size_t i = c.ranks.size(); i > 1; --i) {
    std::swap(c.ranks[i - 1], c.ranks[below(rng, i)]);
  }
  if (c.ranks.size() < 2) c.ranks = {0, gpn > 1 ? 1 : gpn};
  if (c.cluster.nodes == 1 && gpn == 1) c.ranks = {0};
  if (c.kind == CollectiveKind::kAllReduce) {
    const std::uint64_t a = below(rng, 4);
    if (a == 1) c.algorithm = Algorithm::kRing;
    if (a == 2) c.algorithm = Algorithm::kTree;
    if (a == 3) c.algorithm = Algorithm::kHierarchical;
  }
  c.bytes = std::pow(2.0, 10 + 20 * rng.uniform());
  return c;
}

// Rates of every flow of `phase` solved at once (all started), expanded to one per member and
// sorted, and the load of every link.
struct Solved {
  std::vector<double> rates;
  std::map<LinkId, double> load;
  std::map<LinkId, double> capacity;
};

Solved solve_phase(const NetworkTopology& t, const LoweredCollective& c, std::uint32_t phase) {
  Solved out;
  sim::MaxMinSolver solver;
  std::map<LinkId, sim::MaxMinSolver::ConstraintId> constraint;
  std::vector<std::pair<sim::MaxMinSolver::VariableId, const FlowClass*>> vars;
  std::vector<sim::MaxMinSolver::Use> uses;
  for (const FlowClass& fc : c.classes) {
    if (fc.phase != phase) continue;
    uses.clear();
    for (std::uint32_t i = 0; i < fc.uses_count; ++i) {
      const LinkLoad& u = c.uses[fc.uses_begin + i];
      auto it = constraint.find(u.link);
      if (it == constraint.end()) {
        const Link& l = t.link(u.link);
        const double cap = l.capacity * simple_efficiency(l.link_class);
        it = constraint.emplace(u.link, solver.add_constraint(cap)).first;
        out.capacity[u.link] = cap;
      }
      uses.push_back({it->second, u.coefficient});
    }
    vars.emplace_back(solver.add_variable(1.0, fc.bound, uses), &fc);
  }
  solver.solve_full();
  for (const auto& [v, fc] : vars) {
    const double r = solver.rate(v);
    for (std::uint32_t m = 0; m < fc->members; ++m) out.rates.push_back(r);
    for (std::uint32_t i = 0; i < fc->uses_count; ++i) {
      const LinkLoad& u = c.uses[fc->uses_begin + i];
      out.load[u.link] += r * u.coefficient;
    }
  }
  std::sort(out.rates.begin(), out.rates.end());
  return out;
}

CollectiveOptions options_of(const Case& c, bool aggregate) {
  CollectiveOptions o;
  o.algorithm = c.algorithm;
  o.aggregate = aggregate;
  o.topology = c.topology;
  o.top_links = 0;
  return o;
}

}  // namespace

TEST_CASE("aggregated classes get the rates of their unaggregated flows", "[network][property]") {
  int compared = 0;
  for (std::uint64_t seed = 1; seed <= 60; ++seed) {
    const Case c = random_case(seed);
    INFO("seed " << seed << ": " << c.describe());
    const NetworkTopology t(c.cluster, c.topology);
    LoweredCollective agg;
    try {
      agg = lower_collective(t, c.kind, c.bytes, c.ranks, options_of(c, true));
    } catch (const TopologyError&) {
      continue;  // an algorithm that cannot run here (e.g. hierarchical on uneven nodes)
    }
    const LoweredCollective raw =
        lower_collective(t, c.kind, c.bytes, c.ranks, options_of(c, false));
    REQUIRE(agg.phases == raw.phases);
    REQUIRE(agg.flows == raw.flows);
    for (std::uint32_t p = 0; p < agg.phases; ++p) {
      const Solved a = solve_phase(t, agg, p);
      const Solved u = solve_phase(t, raw, p);
      REQUIRE(a.rates.size() == u.rates.size());
      for (std::size_t i = 0; i < a.rates.size(); ++i) {
        INFO("phase " << p << " flow " << i);
        CHECK(close(a.rates[i], u.rates[i], 1e-9));
      }
      REQUIRE(a.load.size() == u.load.size());
      for (const auto& [link, load] : u.load) {
        CHECK(close(a.load.at(link), load, 1e-9));
        // No link over capacity.
        CHECK(load <= u.capacity.at(link) * (1 + 1e-9));
      }
    }
    // Through the runner: the same time.
    const double ta = simulate_collective(t, c.kind, c.bytes, c.ranks, options_of(c, true)).seconds;
    const double tu =
        simulate_collective(t, c.kind, c.bytes, c.ranks, options_of(c, false)).seconds;
    CHECK(std::fabs(ta - tu) <= 1e-9 * tu + 2e-12);
    ++compared;
  }
  CHECK(compared >= 40);
}

TEST_CASE("bytes are conserved over the links and no link exceeds its rate",
          "[network][property]") {
  for (std::uint64_t seed = 100; seed < 130; ++seed) {
    const Case c = random_case(seed);
    INFO("seed " << seed << ": " << c.describe());
    const NetworkTopology t(c.cluster, c.topology);
    LoweredCollective low;
    try {
      low = lower_collective(t, c.kind, c.bytes, c.ranks, options_of(c, true));
    } catch (const TopologyError&) {
      continue;
    }
    double expected = 0;
    for (const FlowClass& fc : low.classes) {
      for (std::uint32_t i = 0; i < fc.uses_count; ++i) {
        expected += fc.bytes * low.uses[fc.uses_begin + i].coefficient;
      }
    }
    sim::TaskGraph g;
    LinkResources links(t);
    add_collective(g, links, low, sim::kNoTask, 0);
    const sim::RunResult r = sim::run(g);
    double carried = 0;
    for (const double b : r.stats.resource_bytes) carried += b;
    CHECK(close(carried, expected, 1e-9));
    const double seconds = r.stats.makespan.seconds();
    for (const LinkStat& s : link_statistics(t, links, r, seconds, 0)) {
      // Payload over raw rate: at most the Simple efficiency of the link's class.
      CHECK(s.utilization <= simple_efficiency(t.link(s.link).link_class) + 1e-9);
    }
  }
}

TEST_CASE("reruns are bit-identical", "[network][property]") {
  for (std::uint64_t seed = 200; seed < 215; ++seed) {
    const Case c = random_case(seed);
    INFO("seed " << seed << ": " << c.describe());
    CollectiveOptions o = options_of(c, true);
    o.top_links = 5;
    CollectiveRun a;
    CollectiveRun b;
    try {
      a = simulate_collective(c.cluster, c.kind, c.bytes, c.ranks, o);
    } catch (const TopologyError&) {
      continue;
    }
    b = simulate_collective(c.cluster, c.kind, c.bytes, c.ranks, o);
    CHECK(std::memcmp(&a.seconds, &b.seconds, sizeof(double)) == 0);
    CHECK(a.classes == b.classes);
    REQUIRE(a.links.size() == b.links.size());
    for (std::size_t i = 0; i < a.links.size(); ++i) {
      CHECK(a.links[i].name == b.links[i].name);
      CHECK(std::memcmp(&a.links[i].bytes, &b.links[i].bytes, sizeof(double)) == 0);
    }
  }
}

}  // namespace cirrus::models
