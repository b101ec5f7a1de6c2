#pragma once
// The cluster's network as a graph of link directions: what the flow model loads.
//
// Vertices are GPUs, each node's scale-up switch (the NVSwitch, or one PCIe switch for PCIe
// nodes such as L4/L40S/A10G boxes), NICs, and the fabric's leaf, spine and core switches.
// Every cable is two links, one per direction, each with a raw rate (bytes/s, the datasheet
// figure) and a latency. The graph is a Boost.Graph adjacency_list kept inside the .cpp;
// routes are computed on demand from small per-switch tables, never stored for all pairs.
//
// Layout (ids are dense and deterministic):
//   - GPU g of node k is vertex k x gpus_per_node + g, its global rank.
//   - Scale-up: GPU <-> NVSwitch links at NodeSpec::scale_up_bw (NVLink), or GPU <-> PCIe switch
//     links at scale_up_bw (PCIe) for ScaleUpKind::kPcie.
//   - NICs: NodeSpec::nics of nic_bw each. GPU g uses NIC floor(g x nics / gpus). With more NICs
//     than GPUs (AWS p5: 32 x 100 Gb/s for 8 GPUs) each GPU's NICs are used together, so they
//     are one NIC vertex of (nics / gpus) x nic_bw per GPU. On NVSwitch nodes a NIC hangs off its
//     GPU by a PCIe link (GPUDirect RDMA); on PCIe nodes off the PCIe switch.
//   - Fabric (only when nodes > 1), from NetworkSpec::topology:
//       single-switch: one switch with every NIC port.
//       fat-tree: a node's NIC ports sit together under one leaf, `switch_radix / 2` ports per
//         leaf (a node with more ports than that gets a leaf of its own); one leaf is a
//         one-tier network; up to `switch_radix` leaves a two-tier leaf/spine; beyond that a
//         three-tier fat-tree with pods of radix/2 leaves and radix/2 spines, and cores above.
//       rail-optimized: NIC r of every node goes to rail leaf r of its group of radix/2 nodes
//         (so same-rail traffic of a group stays under one leaf); spines (and cores) above,
//         built as for the fat-tree.
//     Oversubscription o (> 1) applies above the leaf: a leaf with D down ports gets
//     U = ceil(D / o) uplinks of D x port / (o x U) each (U = D / o full-rate uplinks when o
//     divides D), so the leaf's uplink capacity is exactly its downlink capacity / o. Above the
//     spine the tree is non-blocking. Fabric links run at the NIC port rate.
//
// Routing is shortest-path up/down: same node -> over the scale-up switch; else GPU -> its NIC
// -> up to the lowest common switch -> down -> the destination NIC -> GPU. Among equal-cost up
// links the choice is deterministic (Routing): by destination port as InfiniBand subnet
// managers' fat-tree routing does (D-mod-K: every destination has one path, which makes shift
// patterns such as rings collision-free), or by a fixed hash of (src, dst, flow index) as
// Ethernet ECMP does.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/network/cluster.hpp"
#include "models/network/collectives.hpp"

namespace cirrus::models {

// A network that cannot be built: nodes > 1 with no NICs, a zero or negative link rate, an
// oversubscription below 1, ... The message says what and why; cli/ exits 3 on it.
class TopologyError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

using VertexId = std::uint32_t;
using LinkId = std::uint32_t;

enum class VertexKind : std::uint8_t { kGpu, kNvSwitch, kPcieSwitch, kNic, kLeaf, kSpine, kCore };
const char* to_string(VertexKind k);

// Routing (the enum and its names) is in models/network/cluster.hpp, beside NetworkSpec.

struct TopologyOptions {
  // Ports per fabric switch. 64 is the radix of the current InfiniBand and Ethernet switch
  // generations used for GPU clusters (NVIDIA Quantum-2 QM9700: 64 x 400 Gb/s NDR ports).
  int switch_radix = 64;
  Routing routing = Routing::kDestinationModK;
};

// The defaults above with the scenario's overrides (NetworkSpec::switch_radix, routing).
TopologyOptions topology_options(const NetworkSpec& network);

struct Vertex {
  VertexKind kind = VertexKind::kGpu;
  int node = -1;  // the node of a GPU, scale-up switch or NIC; -1 for fabric switches
  int index = 0;  // GPU or NIC index within its node; switch number within its tier
};

struct Link {
  VertexId from = 0;
  VertexId to = 0;
  double capacity = 0;  // bytes/s, this direction, the raw rate
  double latency_s = 0;
  LinkClass link_class = LinkClass::kNetwork;  // which protocol efficiency applies
};

class NetworkTopology {
 public:
  // Builds the network of `cluster`. Throws TopologyError for a network that cannot connect its
  // GPUs or has a zero/negative/non-finite rate, an oversubscription below 1, a bad radix.
  explicit NetworkTopology(const ClusterSpec& cluster, const TopologyOptions& options = {});
  ~NetworkTopology();
  NetworkTopology(NetworkTopology&&) noexcept;
  NetworkTopology& operator=(NetworkTopology&&) noexcept;
  NetworkTopology(const NetworkTopology&) = delete;
  NetworkTopology& operator=(const NetworkTopology&) = delete;

  const ClusterSpec& cluster() const;
  const TopologyOptions& options() const;
  int gpus() const;
  int nodes() const;
  int gpus_per_node() const;
  // 0 for one node (no fabric); 1 a single switch or one leaf; 2 leaf/spine; 3 with cores.
  int tiers() const;
  int leaves() const;
  int spines() const;
  int cores() const;
  int leaf_uplinks() const;  // uplinks per leaf (U above); 0 without spines

  std::size_t vertex_count() const;
  std::size_t link_count() const;
  const Vertex& vertex(VertexId v) const;
  const Link& link(LinkId l) const;
  // "node 3 gpu 5", "node 3 nic 2", "leaf 1", "spine 4", "core 17", "node 3 nvswitch".
  std::string vertex_name(VertexId v) const;
  // "node 3 nic 2 → leaf 0" (the arrow is U+2192).
  std::string link_name(LinkId l) const;

  int node_of(int rank) const;
  // NIC vertex index within the node that GPU `rank` uses (after aggregation, see above).
  int nic_of(int rank) const;
  int nic_ports_per_node() const;  // NIC vertices per node
  double nic_port_rate() const;    // bytes/s of one NIC vertex
  // Fabric position of a NIC vertex: its leaf and its port number on that leaf.
  int leaf_of(int node, int nic) const;

  // The links from GPU `src` to GPU `dst` (global ranks, src != dst), in order, written to
  // `out` (cleared first). `index` tells flows between the same pair apart for ECMP hashing.
  void route(int src, int dst, std::uint32_t index, std::vector<LinkId>& out) const;
  std::vector<LinkId> route(int src, int dst, std::uint32_t index = 0) const;
  // Sum of the link latencies along `links`.
  double latency(std::span<const LinkId> links) const;
  // Fewest links from vertex `a` to vertex `b` by breadth-first search over the graph (-1 when
  // unreachable): the oracle that route() is a shortest path. O(vertices + links) per call.
  int shortest_hops(VertexId a, VertexId b) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cirrus::models
