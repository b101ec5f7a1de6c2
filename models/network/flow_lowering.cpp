// Collectives lowered into raw flows (flow_lowering.hpp): the ranks grouped by node, the tuner's
// choice of algorithm, protocol and phase times, and one lowering per algorithm; the flows are
// then aggregated into classes (flow_aggregation.hpp).
#include "models/network/flow_lowering.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>

#include "models/network/flow_aggregation.hpp"

namespace cirrus::models {

const char* to_string(NetworkModel m) { return m == NetworkModel::kFlow ? "flow" : "analytic"; }

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// ---------------------------------------------------------------------------------------------
// The ranks, grouped by node as NCCL's rings and trees walk them.
// ---------------------------------------------------------------------------------------------

struct Groups {
  std::vector<std::vector<int>> local;  // ranks of each node, nodes in order of first appearance
  int per_node = 0;                     // most ranks on one node
  bool uniform = true;                  // every node has per_node ranks
};

Groups group_ranks(const NetworkTopology& topo, const std::vector<int>& ranks) {
  Groups g;
  std::vector<int> slot(static_cast<std::size_t>(topo.nodes()), -1);
  std::vector<char> seen(static_cast<std::size_t>(topo.gpus()), 0);
  for (const int r : ranks) {
    if (r < 0 || r >= topo.gpus()) {
      throw std::invalid_argument(fmt::format(
          "collective: rank {} is not a GPU of this cluster (0..{})", r, topo.gpus() - 1));
    }
    if (seen[static_cast<std::size_t>(r)] != 0) {
      throw std::invalid_argument(fmt::format("collective: rank {} appears twice", r));
    }
    seen[static_cast<std::size_t>(r)] = 1;
    int& s = slot[static_cast<std::size_t>(topo.node_of(r))];
    if (s < 0) {
      s = static_cast<int>(g.local.size());
      g.local.emplace_back();
    }
    g.local[static_cast<std::size_t>(s)].push_back(r);
  }
  for (const auto& l : g.local) g.per_node = std::max(g.per_node, static_cast<int>(l.size()));
  for (const auto& l : g.local) g.uniform = g.uniform && static_cast<int>(l.size()) == g.per_node;
  return g;
}

// Channels: one per NIC the first node's ranks use, in order of first use; each channel's
// entry GPU is the first of those ranks on that NIC (its position in the node's list).
std::vector<int> channel_entries(const NetworkTopology& topo, const Groups& g) {
  if (g.local.size() <= 1) return {0};
  std::vector<int> entries;
  std::vector<int> nics;
  const auto& first = g.local.front();
  for (std::size_t i = 0; i < first.size(); ++i) {
    const int nic = topo.nic_of(first[i]);
    if (std::find(nics.begin(), nics.end(), nic) == nics.end()) {
      nics.push_back(nic);
      entries.push_back(static_cast<int>(i));
    }
  }
  return entries;
}

// Per-GPU share of the NICs the node's ranks use: the tuner's inter-node bandwidth.
double inter_bw_per_rank(const NetworkTopology& topo, const Groups& g) {
  if (g.local.size() <= 1 || topo.nic_ports_per_node() == 0) {
    const NodeSpec& n = topo.cluster().node;
    return n.gpus > 0 ? n.nics * n.nic_bw / n.gpus : 0.0;
  }
  const auto entries = channel_entries(topo, g);
  return static_cast<double>(entries.size()) * topo.nic_port_rate() /
         static_cast<double>(g.local.front().size());
}

// ---------------------------------------------------------------------------------------------
// The tuner's choice.
// ---------------------------------------------------------------------------------------------

struct PhaseTime {
  double latency_s = 0;
  double transfer_s = 0;  // the bytes' time at the protocol's bound
};

struct Choice {
  Algorithm algorithm = Algorithm::kRing;
  Protocol protocol = Protocol::kSimple;
  std::vector<PhaseTime> phases;  // per phase of the lowering
  double idle_seconds = 0;
  bool from_profile = false;
};

[[noreturn]] void unavailable(Algorithm a, const std::string& why) {
  throw TopologyError(
      fmt::format("collective: the {} algorithm cannot run here: {}", to_string(a), why));
}

// The tuner as the flow model runs it: with its refinements (collectives.hpp, TunerOptions).
TunerOptions tuner(const NodeSpec& node, std::optional<Algorithm> only = std::nullopt) {
  return TunerOptions{only, kFlowStepOverlapBytes, true, node.nic_extra_latency_s,
                      node.nvls && node.scale_up == ScaleUpKind::kNvSwitch};
}

PhaseTime phase_of(const CollectiveCost& c) {
  return PhaseTime{c.latency_s, std::max(0.0, c.seconds - c.latency_s)};
}

bool nvls_possible(const NetworkTopology& topo, CollectiveKind kind, const Groups& g) {
  const NodeSpec& n = topo.cluster().node;
  return kind == CollectiveKind::kAllReduce && n.nvls && n.scale_up == ScaleUpKind::kNvSwitch &&
         g.local.size() == 1 && g.per_node > 1;
}

// The algorithm to lower: CollectiveOptions::algorithm when it can run here (TopologyError says
// why when it cannot), else direct for point-to-point and ring for the rest, which the tuner may
// still turn into tree or NVLS.
Algorithm requested_algorithm(const NetworkTopology& topo, CollectiveKind kind, const Groups& g,
                              const CollectiveOptions& opt) {
  const NodeSpec& node = topo.cluster().node;
  const int m = static_cast<int>(g.local.size());
  const bool p2p = kind == CollectiveKind::kAllToAll || kind == CollectiveKind::kSendRecv;
  Algorithm algo = p2p ? Algorithm::kDirect : Algorithm::kRing;
  if (!opt.algorithm) return algo;
  algo = *opt.algorithm;
  if (p2p && algo != Algorithm::kDirect) {
    unavailable(algo, fmt::format("{} runs point-to-point (direct)", to_string(kind)));
  }
  if (!p2p && algo == Algorithm::kDirect) {
    unavailable(algo, fmt::format("{} is not point-to-point", to_string(kind)));
  }
  if (kind != CollectiveKind::kAllReduce &&
      (algo == Algorithm::kTree || algo == Algorithm::kNvls || algo == Algorithm::kHierarchical)) {
    unavailable(algo, fmt::format("it runs all_reduce only, not {}", to_string(kind)));
  }
  if (algo == Algorithm::kNvls && !nvls_possible(topo, kind, g)) {
    unavailable(algo, fmt::format("NVLink SHARP needs all ranks on one node with NVSwitch gen "
                                  "3 (node '{}' {} it; the ranks span {} node{})",
                                  node.id, node.nvls ? "has" : "lacks", m, m == 1 ? "" : "s"));
  }
  if (algo == Algorithm::kHierarchical && !g.uniform) {
    unavailable(algo, "it needs the same number of ranks on every node");
  }
  return algo;
}

// A measured busbw (CollectiveOptions::profile) for this collective replaces the tuner's times.
void apply_profile(const CollectiveOptions& opt, CollectiveKind kind, double bytes, int n, int m,
                   Choice& ch) {
  if (!opt.profile) return;
  const std::optional<double> busbw = opt.profile(kind, bytes, n, m);
  if (busbw && *busbw > 0 && std::isfinite(*busbw)) {
    // The measured figure is the whole collective's: latency included, spread over the
    // phases in proportion to the tuner's transfer times.
    const double t = bus_bytes(kind, bytes, n) / *busbw;
    double total = 0;
    for (const auto& ph : ch.phases) total += ph.transfer_s;
    for (auto& ph : ch.phases) {
      ph.transfer_s =
          total > 0 ? t * ph.transfer_s / total : t / static_cast<double>(ch.phases.size());
      ph.latency_s = 0;
    }
    ch.idle_seconds = t;
    ch.from_profile = true;
  }
}

Choice choose(const NetworkTopology& topo, CollectiveKind kind, double bytes, const Groups& g,
              int n, const CollectiveOptions& opt) {
  Choice ch;
  const NodeSpec& node = topo.cluster().node;
  const double intra = node.scale_up_bw;
  const double inter = inter_bw_per_rank(topo, g);
  const int p = g.per_node;
  const int m = static_cast<int>(g.local.size());
  const Algorithm algo = requested_algorithm(topo, kind, g, opt);

  if (algo == Algorithm::kDirect) {
    // Each flow takes its own send/recv latency and bound (lower_direct); the phase time here is
    // the tuner's formula for the whole collective, reported as its idle estimate.
    const CollectiveCost c =
        kind == CollectiveKind::kSendRecv
            ? collective_cost(kind, bytes, 2, m > 1 ? 1 : 2, intra, inter, tuner(node))
            : collective_cost(kind, bytes, n, p, intra, inter, tuner(node));
    ch.algorithm = Algorithm::kDirect;
    ch.protocol = c.protocol;
    ch.phases = {phase_of(c)};
    ch.idle_seconds = c.seconds;
  } else if (algo == Algorithm::kHierarchical) {
    ch.algorithm = algo;
    // Reduce-scatter and all-gather inside each node, all-reduce of S/p across the nodes.
    if (p > 1) {
      ch.phases.push_back(phase_of(collective_cost(CollectiveKind::kReduceScatter, bytes, p, p,
                                                   intra, inter, tuner(node, Algorithm::kRing))));
    }
    if (m > 1) {
      const CollectiveCost c = collective_cost(CollectiveKind::kAllReduce, bytes / p, m, 1, intra,
                                               inter, tuner(node, Algorithm::kRing));
      ch.protocol = c.protocol;
      ch.phases.push_back(phase_of(c));
    }
    if (p > 1) {
      const CollectiveCost c = collective_cost(CollectiveKind::kAllGather, bytes, p, p, intra,
                                               inter, tuner(node, Algorithm::kRing));
      if (m == 1) ch.protocol = c.protocol;
      ch.phases.push_back(phase_of(c));
    }
    for (const auto& ph : ch.phases) ch.idle_seconds += ph.latency_s + ph.transfer_s;
  } else {
    CollectiveCost c;
    if (algo == Algorithm::kNvls) {
      c = nvls_cost(bytes, n, intra);
    } else if (opt.algorithm) {
      c = collective_cost(kind, bytes, n, p, intra, inter, tuner(node, algo));
    } else {
      c = collective_cost(kind, bytes, n, p, intra, inter, tuner(node));
      if (nvls_possible(topo, kind, g)) {
        const CollectiveCost v = nvls_cost(bytes, n, intra);
        if (v.seconds < c.seconds) c = v;
      }
    }
    ch.algorithm = c.algorithm;
    ch.protocol = c.protocol;
    // One phase for every algorithm: NCCL's tree pipelines the reduce up and the broadcast down
    // (chunks turn around at the root), so both directions are in flight together.
    ch.phases = {phase_of(c)};
    ch.idle_seconds = c.seconds;
  }

  apply_profile(opt, kind, bytes, n, m, ch);
  return ch;
}

// ---------------------------------------------------------------------------------------------
// The lowerings: each algorithm's flows, added to RawFlows (flow_aggregation.hpp).
// ---------------------------------------------------------------------------------------------
double bound_for(double bytes, const PhaseTime& t) {
  return t.transfer_s > 0 ? bytes / t.transfer_s : kInf;
}

// Links from `src` to `dst` for a flow that leaves its node through the NIC of `proxy` (NCCL's
// PXN: the last GPU of a channel writes over NVLink to the GPU next to the channel's NIC).
void route_via(const NetworkTopology& topo, int src, int proxy, int dst, std::uint32_t index,
               std::vector<LinkId>& out, std::vector<LinkId>& scratch) {
  const bool pxn = topo.cluster().node.scale_up != ScaleUpKind::kPcie && proxy != src &&
                   topo.node_of(src) != topo.node_of(dst) && topo.nic_of(src) != topo.nic_of(proxy);
  if (!pxn) {
    topo.route(src, dst, index, out);
    return;
  }
  topo.route(src, proxy, index, out);
  topo.route(proxy, dst, index, scratch);
  out.insert(out.end(), scratch.begin(), scratch.end());
}

// The node's ranks in channel order: rotated to start at the channel's entry position.
void channel_order(const std::vector<int>& local, int entry, std::vector<int>& out) {
  out.clear();
  const std::size_t n = local.size();
  const std::size_t start = static_cast<std::size_t>(entry) % n;
  for (std::size_t i = 0; i < n; ++i) out.push_back(local[(start + i) % n]);
}

// NCCL's pipelined ring: every rank sends to its successor, one phase, channels over NICs.
// `chain_root` >= 0 drops the edge into that rank (broadcast's chain from the root).
void lower_ring(const NetworkTopology& topo, const Groups& g, std::uint32_t phase, double bus,
                const PhaseTime& t, int chain_root, RawFlows& out) {
  const std::vector<int> entries = channel_entries(topo, g);
  const double per_channel = bus / static_cast<double>(entries.size());
  const double bound = bound_for(per_channel, t);
  const std::size_t m = g.local.size();
  std::vector<LinkId> route, scratch;
  std::vector<int> order, next;
  for (std::size_t c = 0; c < entries.size(); ++c) {
    const auto index = static_cast<std::uint32_t>(c);
    for (std::size_t k = 0; k < m; ++k) {
      channel_order(g.local[k], entries[c], order);
      for (std::size_t i = 0; i + 1 < order.size(); ++i) {
        if (order[i + 1] == chain_root) continue;
        topo.route(order[i], order[i + 1], index, route);
        out.add(phase, per_channel, bound, t.latency_s, route);
      }
      const int last = order.back();
      int dst = 0;
      if (m == 1) {
        if (order.size() < 2) continue;
        dst = order.front();
      } else {
        channel_order(g.local[(k + 1) % m], entries[c], next);
        dst = next.front();
      }
      if (dst == chain_root) continue;
      route_via(topo, last, order.front(), dst, index, route, scratch);
      out.add(phase, per_channel, bound, t.latency_s, route);
    }
  }
}

// Parent of `rank` in NCCL's binary tree over `n` ranks (src/graph/trees.cc ncclGetBtree), or -1
// for the root (rank 0).
int btree_parent(int rank, int n) {
  if (rank == 0) return -1;
  int bit = 1;
  while ((bit & rank) == 0) bit <<= 1;
  int up = (rank ^ bit) | (bit << 1);
  if (up >= n) up = rank ^ bit;
  return up;
}

// NCCL's second tree (ncclGetDtree): the first one shifted by one rank when n is odd, mirrored
// when n is even, so that most interior ranks of one tree are leaves of the other.
int dtree_parent(int rank, int n, int tree) {
  if (tree == 0) return btree_parent(rank, n);
  if (n % 2 == 1) {
    const int up = btree_parent((rank - 1 + n) % n, n);
    return up < 0 ? -1 : (up + 1) % n;
  }
  const int up = btree_parent(n - 1 - rank, n);
  return up < 0 ? -1 : n - 1 - up;
}

// NCCL's double binary tree: chain inside the node to its head, two trees across the heads;
// phase `first` reduces up, phase `first + 1` broadcasts down.
// Double binary tree: per channel a chain through each node's ranks toward its head, and the
// heads in two binary trees across the nodes, each with half the chain's bytes. Reduce (toward
// the heads and the roots) and broadcast (back) run together, pipelined, in one phase.
// On nodes with NVLink SHARP (NCCL's NVLS_TREE) the switch reduces and broadcasts inside each
// node (every GPU sends and receives nvls_link_bytes over its port) and every GPU carries its
// 1/p slice across the nodes, in the two trees, over its own NIC.
void lower_nvls_tree(const NetworkTopology& topo, const Groups& g, std::uint32_t phase,
                     double bytes, const PhaseTime& t, RawFlows& out) {
  const auto m = static_cast<int>(g.local.size());
  const auto p = static_cast<int>(g.local.front().size());
  const double b = nvls_link_bytes(bytes, p);
  const double slice = bytes / p / 2;  // per tree, per direction
  std::vector<LinkId> route, one(1);
  for (int k = 0; k < m; ++k) {
    const auto& local = g.local[static_cast<std::size_t>(k)];
    for (int i = 0; i < p; ++i) {
      const int self = local[static_cast<std::size_t>(i)];
      const int other = local[static_cast<std::size_t>((i + 1) % p)];
      topo.route(self, other, 0, route);
      one[0] = route.front();  // GPU -> NVSwitch
      out.add(phase, b, bound_for(b, t), t.latency_s, one);
      topo.route(other, self, 0, route);
      one[0] = route.back();  // NVSwitch -> GPU
      out.add(phase, b, bound_for(b, t), t.latency_s, one);
      for (int tree = 0; tree < 2; ++tree) {
        const int parent = dtree_parent(k, m, tree);
        if (parent < 0) continue;
        const int up = g.local[static_cast<std::size_t>(parent)][static_cast<std::size_t>(i)];
        for (int dir = 0; dir < 2; ++dir) {
          const int a = dir == 0 ? self : up;
          const int c = dir == 0 ? up : self;
          topo.route(a, c, static_cast<std::uint32_t>(2 * i + tree), route);
          out.add(phase, slice, bound_for(slice, t), t.latency_s, route);
        }
      }
    }
  }
}

void lower_tree(const NetworkTopology& topo, const Groups& g, std::uint32_t phase, double bytes,
                const PhaseTime& t, RawFlows& out) {
  const NodeSpec& node = topo.cluster().node;
  if (node.nvls && node.scale_up == ScaleUpKind::kNvSwitch && g.local.size() > 1 && g.uniform &&
      g.local.front().size() > 1) {
    lower_nvls_tree(topo, g, phase, bytes, t, out);
    return;
  }
  const std::vector<int> entries = channel_entries(topo, g);
  const double chain_bytes = bytes / static_cast<double>(entries.size());
  const double tree_bytes = chain_bytes / 2;
  const auto m = static_cast<int>(g.local.size());
  std::vector<LinkId> route;
  std::vector<std::vector<int>> orders(static_cast<std::size_t>(m));
  for (int dir = 0; dir < 2; ++dir) {
    for (std::size_t c = 0; c < entries.size(); ++c) {
      for (int k = 0; k < m; ++k) {
        channel_order(g.local[static_cast<std::size_t>(k)], entries[c],
                      orders[static_cast<std::size_t>(k)]);
      }
      for (int k = 0; k < m; ++k) {
        const auto& order = orders[static_cast<std::size_t>(k)];
        for (std::size_t i = 0; i + 1 < order.size(); ++i) {
          // Reduce: toward the head (order[0]); broadcast: away from it.
          const int a = dir == 0 ? order[i + 1] : order[i];
          const int b = dir == 0 ? order[i] : order[i + 1];
          topo.route(a, b, static_cast<std::uint32_t>(c), route);
          out.add(phase, chain_bytes, bound_for(chain_bytes, t), t.latency_s, route);
        }
        if (m == 1) continue;
        for (int tree = 0; tree < 2; ++tree) {
          const int parent = dtree_parent(k, m, tree);
          if (parent < 0) continue;
          const int head = order.front();
          const int parent_head = orders[static_cast<std::size_t>(parent)].front();
          const int a = dir == 0 ? head : parent_head;
          const int b = dir == 0 ? parent_head : head;
          topo.route(a, b, static_cast<std::uint32_t>(2 * c + static_cast<std::size_t>(tree)),
                     route);
          out.add(phase, tree_bytes, bound_for(tree_bytes, t), t.latency_s, route);
        }
      }
    }
  }
}

// Hierarchical all-reduce: reduce-scatter in each node, p inter-node rings of S/p, all-gather.
void lower_hierarchical(const NetworkTopology& topo, const Groups& g, double bytes,
                        const std::vector<PhaseTime>& times, RawFlows& out) {
  const int p = g.per_node;
  const auto m = static_cast<int>(g.local.size());
  std::uint32_t phase = 0;
  std::vector<LinkId> route;
  auto intra_ring = [&](CollectiveKind kind) {
    const PhaseTime& t = times[phase];
    const double bus = bus_bytes(kind, bytes, p);
    for (const auto& local : g.local) {
      for (std::size_t i = 0; i < local.size(); ++i) {
        topo.route(local[i], local[(i + 1) % local.size()], 0, route);
        out.add(phase, bus, bound_for(bus, t), t.latency_s, route);
      }
    }
    ++phase;
  };
  if (p > 1) intra_ring(CollectiveKind::kReduceScatter);
  if (m > 1) {
    const PhaseTime& t = times[phase];
    const double bus = bus_bytes(CollectiveKind::kAllReduce, bytes / p, m);
    for (int j = 0; j < p; ++j) {
      for (int k = 0; k < m; ++k) {
        const int a = g.local[static_cast<std::size_t>(k)][static_cast<std::size_t>(j)];
        const int b = g.local[static_cast<std::size_t>((k + 1) % m)][static_cast<std::size_t>(j)];
        topo.route(a, b, static_cast<std::uint32_t>(j), route);
        out.add(phase, bus, bound_for(bus, t), t.latency_s, route);
      }
    }
    ++phase;
  }
  if (p > 1) intra_ring(CollectiveKind::kAllGather);
}

// NVLink SHARP: every GPU moves (n+1)/n x S up to the switch and as much down.
void lower_nvls(const NetworkTopology& topo, const Groups& g, double bytes, const PhaseTime& t,
                RawFlows& out) {
  const auto& local = g.local.front();
  const int n = static_cast<int>(local.size());
  const double b = nvls_link_bytes(bytes, n);
  std::vector<LinkId> route, one(1);
  for (int i = 0; i < n; ++i) {
    const int self = local[static_cast<std::size_t>(i)];
    const int other = local[static_cast<std::size_t>((i + 1) % n)];
    topo.route(self, other, 0, route);
    one[0] = route.front();  // GPU -> NVSwitch
    out.add(0, b, bound_for(b, t), t.latency_s, one);
    topo.route(other, self, 0, route);
    one[0] = route.back();  // NVSwitch -> GPU
    out.add(0, b, bound_for(b, t), t.latency_s, one);
  }
}

// Point-to-point: all-to-all (every ordered pair, S/n each) or send/recv (i -> i+1, S each).
// Each flow takes the tuner's send/recv latency and bound for its size on an idle link of its
// class; sharing the links does the rest.
void lower_direct(const NetworkTopology& topo, CollectiveKind kind, double bytes,
                  const std::vector<int>& ranks, const Choice& ch, bool one_way, RawFlows& out) {
  const NodeSpec& node = topo.cluster().node;
  const auto n = static_cast<int>(ranks.size());
  const double each = kind == CollectiveKind::kAllToAll ? bytes / n : bytes;
  const double port = topo.nic_ports_per_node() > 0 ? topo.nic_port_rate() : node.nic_bw;
  const CollectiveCost near =
      collective_cost(CollectiveKind::kSendRecv, each, 2, 2, node.scale_up_bw, port, tuner(node));
  const CollectiveCost far =
      collective_cost(CollectiveKind::kSendRecv, each, 2, 1, node.scale_up_bw, port, tuner(node));
  std::vector<LinkId> route;
  auto add = [&](int a, int b, std::uint32_t index) {
    const bool same = topo.node_of(a) == topo.node_of(b);
    PhaseTime t = phase_of(same ? near : far);
    if (ch.from_profile) t = PhaseTime{0, ch.idle_seconds};
    topo.route(a, b, index, route);
    out.add(0, each, bound_for(each, t), t.latency_s, route);
  };
  if (kind == CollectiveKind::kSendRecv) {
    for (int i = 0; i < (one_way ? 1 : n); ++i) {
      add(ranks[static_cast<std::size_t>(i)], ranks[static_cast<std::size_t>((i + 1) % n)], 0);
    }
    return;
  }
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      if (i == j) continue;
      add(ranks[static_cast<std::size_t>(i)], ranks[static_cast<std::size_t>(j)],
          static_cast<std::uint32_t>(j));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The entry points: the tuner's choice, the lowering, then the aggregation.
// ---------------------------------------------------------------------------------------------

void check_bytes(double bytes) {
  if (!(bytes >= 0) || !std::isfinite(bytes)) {
    throw std::invalid_argument(
        fmt::format("collective: bytes must be finite and >= 0, found {}", bytes));
  }
}

// lower_collective over each of `groups` (one or more communicators of equal size), or with
// `one_way` a send/recv of two ranks from the first to the second; every group's flows go into
// one set of phases, aggregated together.
LoweredCollective lower(const NetworkTopology& topology, CollectiveKind kind, double bytes,
                        const std::vector<std::vector<int>>& groups,
                        const CollectiveOptions& options, bool one_way) {
  check_bytes(bytes);
  if (groups.empty()) throw std::invalid_argument("collective: no group of ranks");
  LoweredCollective out;
  out.kind = kind;
  out.bytes = bytes;
  RawFlows f;
  for (std::size_t k = 0; k < groups.size(); ++k) {
    const std::vector<int>& ranks = groups[k];
    if (ranks.size() != groups.front().size()) {
      throw std::invalid_argument(
          fmt::format("collective: groups of different sizes ({} and {} ranks)",
                      groups.front().size(), ranks.size()));
    }
    const Groups g = group_ranks(topology, ranks);
    const int n = static_cast<int>(ranks.size());
    if (k == 0) {
      out.ranks = n;
      out.nodes = static_cast<int>(g.local.size());
      out.per_node = g.per_node;
    }
    if (n <= 1 || bytes <= 0) {
      if (options.algorithm) out.algorithm = *options.algorithm;
      return out;
    }
    const Choice ch = choose(topology, kind, bytes, g, n, options);
    if (k == 0) {
      out.algorithm = ch.algorithm;
      out.protocol = ch.protocol;
      out.from_profile = ch.from_profile;
      out.idle_seconds = ch.idle_seconds;
      if (options.model == NetworkModel::kAnalytic) return out;
    }
    switch (ch.algorithm) {
      case Algorithm::kRing: {
        const int root = kind == CollectiveKind::kBroadcast ? ranks.front() : -1;
        lower_ring(topology, g, 0, bus_bytes(kind, bytes, n), ch.phases[0], root, f);
        if (k == 0) out.channels = static_cast<int>(channel_entries(topology, g).size());
        break;
      }
      case Algorithm::kTree:
        lower_tree(topology, g, 0, bytes, ch.phases[0], f);
        if (k == 0) out.channels = static_cast<int>(channel_entries(topology, g).size());
        break;
      case Algorithm::kHierarchical:
        lower_hierarchical(topology, g, bytes, ch.phases, f);
        if (k == 0) out.channels = g.per_node;
        break;
      case Algorithm::kNvls:
        lower_nvls(topology, g, bytes, ch.phases[0], f);
        if (k == 0) out.channels = 1;
        break;
      case Algorithm::kDirect:
        lower_direct(topology, kind, bytes, ranks, ch, one_way, f);
        if (k == 0) out.channels = 1;
        break;
    }
  }
  return aggregate_flows(topology, f, options.aggregate, std::move(out));
}

}  // namespace

LoweredCollective lower_collective(const NetworkTopology& topology, CollectiveKind kind,
                                   double bytes, const std::vector<int>& ranks,
                                   const CollectiveOptions& options) {
  return lower(topology, kind, bytes, {ranks}, options, false);
}

LoweredCollective lower_collectives(const NetworkTopology& topology, CollectiveKind kind,
                                    double bytes, const std::vector<std::vector<int>>& groups,
                                    const CollectiveOptions& options) {
  return lower(topology, kind, bytes, groups, options, false);
}

LoweredCollective lower_send(const NetworkTopology& topology, int src, int dst, double bytes,
                             const CollectiveOptions& options) {
  if (src == dst) throw std::invalid_argument("lower_send: source and destination are the same");
  return lower(topology, CollectiveKind::kSendRecv, bytes, {{src, dst}}, options, true);
}

LoweredCollective lower_sends(const NetworkTopology& topology,
                              const std::vector<std::pair<int, int>>& pairs, double bytes,
                              const CollectiveOptions& options) {
  check_bytes(bytes);
  LoweredCollective out;
  out.kind = CollectiveKind::kSendRecv;
  out.bytes = bytes;
  out.ranks = 2;
  out.algorithm = Algorithm::kDirect;
  out.channels = 1;
  if (pairs.empty() || bytes <= 0) return out;
  const NodeSpec& node = topology.cluster().node;
  const double port = topology.nic_ports_per_node() > 0 ? topology.nic_port_rate() : node.nic_bw;
  // The tuner's time for one send alone, on NVLink (same node) and across the network.
  const CollectiveCost near =
      collective_cost(CollectiveKind::kSendRecv, bytes, 2, 2, node.scale_up_bw, port, tuner(node));
  const CollectiveCost far =
      collective_cost(CollectiveKind::kSendRecv, bytes, 2, 1, node.scale_up_bw, port, tuner(node));
  RawFlows f;
  std::vector<LinkId> route;
  for (const auto& [src, dst] : pairs) {
    if (src < 0 || dst < 0 || src >= topology.gpus() || dst >= topology.gpus() || src == dst) {
      throw std::invalid_argument(fmt::format(
          "lower_sends: ({}, {}) is not a pair of distinct GPUs of this cluster (0..{})", src, dst,
          topology.gpus() - 1));
    }
    const bool same = topology.node_of(src) == topology.node_of(dst);
    const CollectiveCost& c = same ? near : far;
    out.nodes = std::max(out.nodes, same ? 1 : 2);
    out.per_node = std::max(out.per_node, same ? 2 : 1);
    out.protocol = c.protocol;
    out.idle_seconds = std::max(out.idle_seconds, c.seconds);
    const PhaseTime t = phase_of(c);
    topology.route(src, dst, 0, route);
    f.add(0, bytes, bound_for(bytes, t), t.latency_s, route);
  }
  if (options.model == NetworkModel::kAnalytic) return out;
  return aggregate_flows(topology, f, options.aggregate, std::move(out));
}

}  // namespace cirrus::models
