// The cluster network: builders for each fabric, the Boost.Graph behind them, and on-demand
// up/down routing from per-switch tables (see topology.hpp for the layout and the routing).
#include "models/network/topology.hpp"
#include "common/enum_names.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/visitors.hpp>
#include <cmath>
#include <limits>
#include <utility>

namespace cirrus::models {

constexpr EnumNames<VertexKind, 7> kVertexKindNames = {{{VertexKind::kGpu, "gpu"},
                                                        {VertexKind::kNvSwitch, "nvswitch"},
                                                        {VertexKind::kPcieSwitch, "pcie switch"},
                                                        {VertexKind::kNic, "nic"},
                                                        {VertexKind::kLeaf, "leaf"},
                                                        {VertexKind::kSpine, "spine"},
                                                        {VertexKind::kCore, "core"}}};

const char* to_string(VertexKind k) { return name_in(kVertexKindNames, k); }

TopologyOptions topology_options(const NetworkSpec& network) {
  TopologyOptions o;
  if (network.switch_radix) o.switch_radix = *network.switch_radix;
  if (network.routing) o.routing = *network.routing;
  return o;
}

const char* to_string(Routing r) { return name_in(kRoutingNames, r); }

namespace {

// Largest cluster the 32-bit vertex and link ids leave room for, with margin.
constexpr long kMaxGpus = 1L << 24;
constexpr LinkId kNoLink = std::numeric_limits<LinkId>::max();

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, boost::no_property,
                                    boost::property<boost::edge_index_t, LinkId>>;

// splitmix64's finalizer: a fixed, platform-independent mix for ECMP hashing.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::uint64_t flow_hash(int src, int dst, std::uint32_t index, std::uint32_t level) {
  std::uint64_t h = mix(static_cast<std::uint64_t>(static_cast<std::uint32_t>(src)));
  h = mix(h ^ static_cast<std::uint64_t>(static_cast<std::uint32_t>(dst)));
  h = mix(h ^ index);
  return mix(h ^ level);
}

bool positive_rate(double r) { return r > 0 && std::isfinite(r); }

}  // namespace

struct NetworkTopology::Impl {
  ClusterSpec cluster;
  TopologyOptions options;
  int gpn = 0;  // GPUs per node
  int nodes = 0;
  int ports = 0;  // NIC vertices per node
  double port_rate = 0;
  bool pcie = false;  // scale-up over a PCIe switch
  int tiers = 0;
  int leaves = 0;
  int leaf_ports = 0;  // nominal down ports per leaf (D)
  int uplinks = 0;     // per leaf (U), = spines per pod
  int leaves_per_pod = 0;
  int pods = 0;
  int core_uplinks = 0;  // per spine (K2)
  int cores = 0;
  VertexId switch_base = 0, nic_base = 0, leaf_base = 0, spine_base = 0, core_base = 0;

  std::vector<Vertex> vertices;
  std::vector<Link> links;
  Graph graph;

  // Routing tables. Per GPU: to/from its scale-up switch, to/from its NIC (NVSwitch nodes).
  std::vector<LinkId> gpu_up, gpu_down, gpu_to_nic, nic_to_gpu;
  // Per NIC vertex (node x ports + nic): to/from the PCIe switch (PCIe nodes), to/from the leaf.
  std::vector<LinkId> nic_to_switch, switch_to_nic, nic_up, nic_down;
  std::vector<int> nic_leaf, nic_port;
  // [leaf x U + s]: leaf -> spine s of its pod and back; [spine x K2 + j]: spine -> core, back.
  std::vector<LinkId> leaf_up, leaf_down, spine_up, spine_down;

  VertexId add_vertex(VertexKind kind, int node, int index) {
    vertices.push_back(Vertex{kind, node, index});
    return static_cast<VertexId>(vertices.size() - 1);
  }

  // Two links, one per direction; returns the id of a -> b (b -> a is the next id).
  LinkId add_cable(VertexId a, VertexId b, double capacity, double latency_s, LinkClass cls) {
    const auto id = static_cast<LinkId>(links.size());
    links.push_back(Link{a, b, capacity, latency_s, cls});
    links.push_back(Link{b, a, capacity, latency_s, cls});
    return id;
  }

  void validate() const;
  void plan_fabric();
  void build();
  void build_graph();
  void check_connected() const;
  int shortest_hops(VertexId a, VertexId b) const;

  int nic_vertex_index(int rank) const {
    const int node = rank / gpn;
    const int g = rank % gpn;
    const int nics = cluster.node.nics;
    const int nic = nics >= gpn ? g : static_cast<int>(static_cast<long>(g) * nics / gpn);
    return node * ports + nic;
  }

  void append_to_nic(int rank, std::vector<LinkId>& out) const {
    const int nv = nic_vertex_index(rank);
    if (pcie) {
      out.push_back(gpu_up[static_cast<std::size_t>(rank)]);
      out.push_back(nic_to_switch[static_cast<std::size_t>(nv)] + 1);  // switch -> NIC
    } else {
      out.push_back(gpu_to_nic[static_cast<std::size_t>(rank)]);
    }
  }
  void append_from_nic(int rank, std::vector<LinkId>& out) const {
    const int nv = nic_vertex_index(rank);
    if (pcie) {
      out.push_back(nic_to_switch[static_cast<std::size_t>(nv)]);
      out.push_back(gpu_down[static_cast<std::size_t>(rank)]);
    } else {
      out.push_back(nic_to_gpu[static_cast<std::size_t>(rank)]);
    }
  }

  int choose(int src, int dst, std::uint32_t index, std::uint32_t level, long dst_port,
             int width) const {
    if (width <= 1) return 0;
    if (options.routing == Routing::kDestinationModK) {
      // Level 1 (leaf up): the destination port mod U; level 2 (spine up): the next digit.
      const long digit = level == 1 ? dst_port : dst_port / std::max(1, uplinks);
      return static_cast<int>(digit % width);
    }
    return static_cast<int>(flow_hash(src, dst, index, level) % static_cast<std::uint64_t>(width));
  }
};

void NetworkTopology::Impl::validate() const {
  const NodeSpec& n = cluster.node;
  if (cluster.nodes < 1) {
    throw TopologyError(fmt::format("network: nodes must be >= 1, found {}", cluster.nodes));
  }
  if (n.gpus < 1) {
    throw TopologyError(fmt::format("node '{}': gpus must be >= 1, found {}", n.id, n.gpus));
  }
  if (static_cast<long>(cluster.nodes) * n.gpus > kMaxGpus) {
    throw TopologyError(
        fmt::format("network: {} nodes x {} GPUs is more than the {} GPUs a "
                    "topology holds",
                    cluster.nodes, n.gpus, kMaxGpus));
  }
  const double o = cluster.network.oversubscription;
  if (!(o >= 1.0) || !std::isfinite(o)) {
    throw TopologyError(fmt::format(
        "network: oversubscription must be a finite ratio >= 1 (1 is non-blocking), found {}", o));
  }
  if (options.switch_radix < 4 || options.switch_radix % 2 != 0) {
    throw TopologyError(fmt::format("network: switch radix must be an even number >= 4, found {}",
                                    options.switch_radix));
  }
  if (n.gpus > 1 && !positive_rate(n.scale_up_bw)) {
    throw TopologyError(fmt::format(
        "node '{}': the scale-up link rate must be > 0 to connect its {} GPUs, found {} B/s", n.id,
        n.gpus, n.scale_up_bw));
  }
  if (cluster.nodes > 1) {
    if (n.nics < 1) {
      throw TopologyError(
          fmt::format("network: cannot connect the GPUs: {} nodes but node '{}' has no NICs",
                      cluster.nodes, n.id));
    }
    if (!positive_rate(n.nic_bw)) {
      throw TopologyError(
          fmt::format("node '{}': the NIC rate must be > 0 to connect {} nodes, found {} B/s", n.id,
                      cluster.nodes, n.nic_bw));
    }
  }
  if (n.nics < 0) {
    throw TopologyError(fmt::format("node '{}': nics must be >= 0, found {}", n.id, n.nics));
  }
  if (!(n.pcie_bw >= 0) || !std::isfinite(n.pcie_bw)) {
    throw TopologyError(
        fmt::format("node '{}': the PCIe rate must be >= 0, found {} B/s", n.id, n.pcie_bw));
  }
  if (!(n.scale_up_latency_s >= 0) || !(n.nic_latency_s >= 0) ||
      !std::isfinite(n.scale_up_latency_s) || !std::isfinite(n.nic_latency_s)) {
    throw TopologyError(fmt::format("node '{}': latencies must be finite and >= 0", n.id));
  }
}

// Sizes of the fabric: leaves, uplinks, pods, cores (see topology.hpp).
void NetworkTopology::Impl::plan_fabric() {
  const int radix = options.switch_radix;
  const int half = radix / 2;
  const NetworkSpec& net = cluster.network;
  if (nodes <= 1) {
    tiers = 0;
    return;
  }
  if (net.topology == Topology::kSingleSwitch) {
    tiers = 1;
    leaves = 1;
    leaf_ports = nodes * ports;
    return;
  }
  if (net.topology == Topology::kRailOptimized) {
    leaf_ports = half;  // one port per node of the group
    const int groups = (nodes + half - 1) / half;
    leaves = groups * ports;
  } else {
    const int per_leaf = std::max(1, half / ports);
    leaf_ports = std::max(half, ports);
    leaves = (nodes + per_leaf - 1) / per_leaf;
  }
  if (leaves == 1) {
    tiers = 1;
    return;
  }
  uplinks = static_cast<int>(std::ceil(leaf_ports / net.oversubscription - 1e-9));
  uplinks = std::clamp(uplinks, 1, leaf_ports);
  if (leaves <= radix) {
    tiers = 2;
    leaves_per_pod = leaves;
    pods = 1;
  } else {
    tiers = 3;
    leaves_per_pod = half;
    pods = (leaves + half - 1) / half;
    core_uplinks = half;
    cores = uplinks * core_uplinks;
  }
}

void NetworkTopology::Impl::build() {
  const NodeSpec& n = cluster.node;
  gpn = n.gpus;
  nodes = cluster.nodes;
  // A lone GPU needs no switch: its NIC hangs off it directly, whatever the node's kind.
  pcie = n.scale_up == ScaleUpKind::kPcie && gpn > 1;
  if (n.nics >= gpn) {
    ports = gpn;  // each GPU's nics/gpus NICs used together: one vertex per GPU
    port_rate = n.nic_bw * static_cast<double>(n.nics) / gpn;
  } else {
    ports = n.nics;
    port_rate = n.nic_bw;
  }
  if (nodes <= 1) ports = 0;  // one node: no network
  plan_fabric();

  const std::size_t gpus = static_cast<std::size_t>(nodes) * static_cast<std::size_t>(gpn);
  const std::size_t nic_count = static_cast<std::size_t>(nodes) * static_cast<std::size_t>(ports);
  const std::size_t spine_count =
      static_cast<std::size_t>(pods) * static_cast<std::size_t>(uplinks);
  vertices.reserve(gpus + static_cast<std::size_t>(nodes) + nic_count +
                   static_cast<std::size_t>(leaves) + spine_count +
                   static_cast<std::size_t>(cores));
  for (int k = 0; k < nodes; ++k) {
    for (int g = 0; g < gpn; ++g) add_vertex(VertexKind::kGpu, k, g);
  }
  const bool has_switch = gpn > 1;
  switch_base = static_cast<VertexId>(vertices.size());
  if (has_switch) {
    for (int k = 0; k < nodes; ++k) {
      add_vertex(pcie ? VertexKind::kPcieSwitch : VertexKind::kNvSwitch, k, 0);
    }
  }
  nic_base = static_cast<VertexId>(vertices.size());
  for (int k = 0; k < nodes; ++k) {
    for (int q = 0; q < ports; ++q) add_vertex(VertexKind::kNic, k, q);
  }
  leaf_base = static_cast<VertexId>(vertices.size());
  for (int l = 0; l < leaves; ++l) add_vertex(VertexKind::kLeaf, -1, l);
  spine_base = static_cast<VertexId>(vertices.size());
  for (std::size_t s = 0; s < spine_count; ++s) {
    add_vertex(VertexKind::kSpine, -1, static_cast<int>(s));
  }
  core_base = static_cast<VertexId>(vertices.size());
  for (int c = 0; c < cores; ++c) add_vertex(VertexKind::kCore, -1, c);

  // Links. Scale-up: one hop GPU -> switch -> GPU costs scale_up_latency_s, half per link.
  const LinkClass up_class = pcie ? LinkClass::kPcie : LinkClass::kNvLink;
  const double up_lat = n.scale_up_latency_s / 2;
  // A NIC's PCIe attachment is never what limits it: the attachment runs at the PCIe rate or the
  // NIC's, whichever is higher (Gen4 x16 32 GB/s carries an HDR NIC's 25 GB/s; Gen5 64 GB/s the
  // p5's 4 x 100 Gb/s per GPU).
  const double attach = std::max(n.pcie_bw, port_rate);
  gpu_up.assign(gpus, kNoLink);
  gpu_down.assign(gpus, kNoLink);
  gpu_to_nic.assign(gpus, kNoLink);
  nic_to_gpu.assign(gpus, kNoLink);
  nic_to_switch.assign(nic_count, kNoLink);
  switch_to_nic.assign(nic_count, kNoLink);
  nic_up.assign(nic_count, kNoLink);
  nic_down.assign(nic_count, kNoLink);
  nic_leaf.assign(nic_count, -1);
  nic_port.assign(nic_count, -1);
  links.reserve(2 * (2 * gpus + 2 * nic_count +
                     static_cast<std::size_t>(leaves) * static_cast<std::size_t>(uplinks) +
                     spine_count * static_cast<std::size_t>(core_uplinks)));
  for (int k = 0; k < nodes; ++k) {
    const VertexId sw = switch_base + static_cast<VertexId>(k);
    for (int g = 0; g < gpn; ++g) {
      const auto rank =
          static_cast<std::size_t>(k) * static_cast<std::size_t>(gpn) + static_cast<std::size_t>(g);
      if (has_switch) {
        gpu_up[rank] = add_cable(static_cast<VertexId>(rank), sw, n.scale_up_bw, up_lat, up_class);
        gpu_down[rank] = gpu_up[rank] + 1;
      }
    }
    if (ports == 0) continue;
    for (int q = 0; q < ports; ++q) {
      const auto nv = static_cast<std::size_t>(k) * static_cast<std::size_t>(ports) +
                      static_cast<std::size_t>(q);
      if (pcie) {
        nic_to_switch[nv] =
            add_cable(nic_base + static_cast<VertexId>(nv), sw, attach, 0.0, LinkClass::kPcie);
        switch_to_nic[nv] = nic_to_switch[nv] + 1;
      }
    }
    if (!pcie) {
      for (int g = 0; g < gpn; ++g) {
        const int rank = k * gpn + g;
        const auto nv = static_cast<VertexId>(nic_vertex_index(rank));
        const auto r = static_cast<std::size_t>(rank);
        gpu_to_nic[r] =
            add_cable(static_cast<VertexId>(rank), nic_base + nv, attach, 0.0, LinkClass::kPcie);
        nic_to_gpu[r] = gpu_to_nic[r] + 1;
      }
    }
  }

  // NIC -> leaf: the NIC hop's latency (NIC + switch, NodeSpec::nic_latency_s), half per link.
  // Links above the leaf carry no latency of their own: the tuner's per-hop latency covers the
  // switches, and the flow model takes latency from the tuner.
  const double nic_lat = n.nic_latency_s / 2;
  const bool rail = cluster.network.topology == Topology::kRailOptimized;
  const int half = options.switch_radix / 2;
  for (int k = 0; k < nodes && ports > 0; ++k) {
    for (int q = 0; q < ports; ++q) {
      const auto nv = static_cast<std::size_t>(k) * static_cast<std::size_t>(ports) +
                      static_cast<std::size_t>(q);
      int leaf = 0;
      int port = 0;
      if (cluster.network.topology == Topology::kSingleSwitch) {
        port = static_cast<int>(nv);
      } else if (rail) {
        leaf = (k / half) * ports + q;
        port = k % half;
      } else {
        const int per_leaf = std::max(1, half / ports);
        leaf = k / per_leaf;
        port = (k % per_leaf) * ports + q;
      }
      nic_leaf[nv] = leaf;
      nic_port[nv] = port;
      nic_up[nv] =
          add_cable(nic_base + static_cast<VertexId>(nv), leaf_base + static_cast<VertexId>(leaf),
                    port_rate, nic_lat, LinkClass::kNetwork);
      nic_down[nv] = nic_up[nv] + 1;
    }
  }

  if (tiers >= 2) {
    // Leaf uplinks: U per leaf, together D / o ports' worth (see topology.hpp).
    const double up_rate = static_cast<double>(leaf_ports) * port_rate /
                           (cluster.network.oversubscription * static_cast<double>(uplinks));
    const auto u = static_cast<std::size_t>(uplinks);
    leaf_up.assign(static_cast<std::size_t>(leaves) * u, kNoLink);
    leaf_down.assign(static_cast<std::size_t>(leaves) * u, kNoLink);
    for (int l = 0; l < leaves; ++l) {
      const int pod = l / leaves_per_pod;
      for (int s = 0; s < uplinks; ++s) {
        const auto spine = static_cast<VertexId>(pod * uplinks + s);
        const std::size_t i = static_cast<std::size_t>(l) * u + static_cast<std::size_t>(s);
        leaf_up[i] = add_cable(leaf_base + static_cast<VertexId>(l), spine_base + spine, up_rate,
                               0.0, LinkClass::kNetwork);
        leaf_down[i] = leaf_up[i] + 1;
      }
    }
    if (tiers == 3) {
      // Spine s of every pod connects to cores s x K2 .. s x K2 + K2 - 1: the k-ary fat-tree.
      const auto k2 = static_cast<std::size_t>(core_uplinks);
      spine_up.assign(spine_count * k2, kNoLink);
      spine_down.assign(spine_count * k2, kNoLink);
      for (std::size_t sp = 0; sp < spine_count; ++sp) {
        const auto s = static_cast<int>(sp % u);
        for (int j = 0; j < core_uplinks; ++j) {
          const auto core = static_cast<VertexId>(s * core_uplinks + j);
          const std::size_t i = sp * k2 + static_cast<std::size_t>(j);
          spine_up[i] = add_cable(spine_base + static_cast<VertexId>(sp), core_base + core, up_rate,
                                  0.0, LinkClass::kNetwork);
          spine_down[i] = spine_up[i] + 1;
        }
      }
    }
  }
  build_graph();
  check_connected();
}

void NetworkTopology::Impl::build_graph() {
  // Vertices one by one on the empty graph: assigning a fresh adjacency_list would go through
  // its copy, whose inlined edge iterator g++ 12 flags as maybe-uninitialized.
  for (std::size_t v = 0; v < vertices.size(); ++v) boost::add_vertex(graph);
  for (std::size_t i = 0; i < links.size(); ++i) {
    boost::add_edge(links[i].from, links[i].to, static_cast<LinkId>(i), graph);
  }
}

int NetworkTopology::Impl::shortest_hops(VertexId a, VertexId b) const {
  if (a >= vertices.size() || b >= vertices.size()) return -1;
  std::vector<int> dist(vertices.size(), -1);
  std::vector<boost::default_color_type> color(vertices.size(), boost::white_color);
  dist[a] = 0;
  boost::breadth_first_visit(
      graph, a,
      boost::visitor(boost::make_bfs_visitor(boost::record_distances(
                         boost::make_iterator_property_map(dist.begin(),
                                                           boost::get(boost::vertex_index, graph)),
                         boost::on_tree_edge())))
          .color_map(boost::make_iterator_property_map(color.begin(),
                                                       boost::get(boost::vertex_index, graph))));
  return dist[b];
}

// Every GPU must reach every other: a breadth-first search from GPU 0 (links come in pairs, so
// reaching all GPUs from one means all reach each other).
void NetworkTopology::Impl::check_connected() const {
  const std::size_t gpus = static_cast<std::size_t>(nodes) * static_cast<std::size_t>(gpn);
  if (gpus <= 1) return;
  std::vector<boost::default_color_type> color(vertices.size(), boost::white_color);
  boost::breadth_first_visit(graph, 0,
                             boost::color_map(boost::make_iterator_property_map(
                                 color.begin(), boost::get(boost::vertex_index, graph))));
  for (std::size_t g = 0; g < gpus; ++g) {
    if (color[g] == boost::white_color) {
      throw TopologyError(
          fmt::format("network: cannot connect the GPUs: {} is unreachable from "
                      "node 0 gpu 0",
                      fmt::format("node {} gpu {}", vertices[g].node, vertices[g].index)));
    }
  }
}

NetworkTopology::NetworkTopology(const ClusterSpec& cluster, const TopologyOptions& options)
    : impl_(std::make_unique<Impl>()) {
  impl_->cluster = cluster;
  impl_->options = options;
  impl_->validate();
  impl_->build();
}

NetworkTopology::~NetworkTopology() = default;
NetworkTopology::NetworkTopology(NetworkTopology&&) noexcept = default;
NetworkTopology& NetworkTopology::operator=(NetworkTopology&&) noexcept = default;

const ClusterSpec& NetworkTopology::cluster() const { return impl_->cluster; }
const TopologyOptions& NetworkTopology::options() const { return impl_->options; }
int NetworkTopology::gpus() const { return impl_->nodes * impl_->gpn; }
int NetworkTopology::nodes() const { return impl_->nodes; }
int NetworkTopology::gpus_per_node() const { return impl_->gpn; }
int NetworkTopology::tiers() const { return impl_->tiers; }
int NetworkTopology::leaves() const { return impl_->leaves; }
int NetworkTopology::spines() const { return impl_->pods * impl_->uplinks; }
int NetworkTopology::cores() const { return impl_->cores; }
int NetworkTopology::leaf_uplinks() const { return impl_->uplinks; }
std::size_t NetworkTopology::vertex_count() const { return impl_->vertices.size(); }
std::size_t NetworkTopology::link_count() const { return impl_->links.size(); }
const Vertex& NetworkTopology::vertex(VertexId v) const { return impl_->vertices.at(v); }
const Link& NetworkTopology::link(LinkId l) const { return impl_->links.at(l); }
int NetworkTopology::node_of(int rank) const { return rank / impl_->gpn; }
int NetworkTopology::nic_ports_per_node() const { return impl_->ports; }
double NetworkTopology::nic_port_rate() const { return impl_->port_rate; }

int NetworkTopology::nic_of(int rank) const {
  if (impl_->ports == 0) return -1;
  return impl_->nic_vertex_index(rank) % impl_->ports;
}

int NetworkTopology::leaf_of(int node, int nic) const {
  if (impl_->ports == 0) return -1;
  return impl_->nic_leaf.at(static_cast<std::size_t>(node) *
                                static_cast<std::size_t>(impl_->ports) +
                            static_cast<std::size_t>(nic));
}

std::string NetworkTopology::vertex_name(VertexId v) const {
  const Vertex& x = vertex(v);
  switch (x.kind) {
    case VertexKind::kGpu:
    case VertexKind::kNic:
      return fmt::format("node {} {} {}", x.node, to_string(x.kind), x.index);
    case VertexKind::kNvSwitch:
    case VertexKind::kPcieSwitch:
      return fmt::format("node {} {}", x.node, to_string(x.kind));
    case VertexKind::kLeaf:
    case VertexKind::kSpine:
    case VertexKind::kCore:
      return fmt::format("{} {}", to_string(x.kind), x.index);
  }
  return "?";
}

std::string NetworkTopology::link_name(LinkId l) const {
  const Link& x = link(l);
  return vertex_name(x.from) + " \u2192 " + vertex_name(x.to);
}

void NetworkTopology::route(int src, int dst, std::uint32_t index, std::vector<LinkId>& out) const {
  out.clear();
  const Impl& m = *impl_;
  const int total = m.nodes * m.gpn;
  if (src < 0 || dst < 0 || src >= total || dst >= total || src == dst) {
    throw std::invalid_argument(
        fmt::format("NetworkTopology::route: bad GPU pair ({}, {}) of {}", src, dst, total));
  }
  const int na = src / m.gpn;
  const int nb = dst / m.gpn;
  if (na == nb) {
    out.push_back(m.gpu_up[static_cast<std::size_t>(src)]);
    out.push_back(m.gpu_down[static_cast<std::size_t>(dst)]);
    return;
  }
  const auto a = static_cast<std::size_t>(m.nic_vertex_index(src));
  const auto b = static_cast<std::size_t>(m.nic_vertex_index(dst));
  m.append_to_nic(src, out);
  out.push_back(m.nic_up[a]);
  const int la = m.nic_leaf[a];
  const int lb = m.nic_leaf[b];
  if (la != lb) {
    const long dst_port = static_cast<long>(lb) * m.leaf_ports + m.nic_port[b];
    const int s = m.choose(src, dst, index, 1, dst_port, m.uplinks);
    const auto u = static_cast<std::size_t>(m.uplinks);
    out.push_back(m.leaf_up[static_cast<std::size_t>(la) * u + static_cast<std::size_t>(s)]);
    const int pa = la / m.leaves_per_pod;
    const int pb = lb / m.leaves_per_pod;
    if (pa != pb) {
      const int j = m.choose(src, dst, index, 2, dst_port, m.core_uplinks);
      const auto k2 = static_cast<std::size_t>(m.core_uplinks);
      const std::size_t up_spine = static_cast<std::size_t>(pa) * u + static_cast<std::size_t>(s);
      const std::size_t down_spine = static_cast<std::size_t>(pb) * u + static_cast<std::size_t>(s);
      out.push_back(m.spine_up[up_spine * k2 + static_cast<std::size_t>(j)]);
      out.push_back(m.spine_down[down_spine * k2 + static_cast<std::size_t>(j)]);
    }
    out.push_back(m.leaf_down[static_cast<std::size_t>(lb) * u + static_cast<std::size_t>(s)]);
  }
  out.push_back(m.nic_down[b]);
  m.append_from_nic(dst, out);
}

std::vector<LinkId> NetworkTopology::route(int src, int dst, std::uint32_t index) const {
  std::vector<LinkId> out;
  route(src, dst, index, out);
  return out;
}

double NetworkTopology::latency(std::span<const LinkId> links) const {
  double s = 0;
  for (const LinkId l : links) s += link(l).latency_s;
  return s;
}

int NetworkTopology::shortest_hops(VertexId a, VertexId b) const {
  return impl_->shortest_hops(a, b);
}

}  // namespace cirrus::models
