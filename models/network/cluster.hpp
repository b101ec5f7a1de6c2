#pragma once
// A cluster as a scenario gives it: nodes of one type and the network between them (topology,
// oversubscription, the all-reduce algorithm if pinned, fabric details).
#include <cstdint>
#include <optional>
#include "common/enum_names.hpp"

#include "models/hardware/hardware.hpp"
#include "models/network/collectives.hpp"

namespace cirrus::models {

enum class Topology { kFatTree, kRailOptimized, kSingleSwitch };
const char* to_string(Topology t);
// The spellings of CONTRACT.md's `cluster.network.topology`.
inline constexpr EnumNames<Topology, 3> kTopologyNames = {
    {{Topology::kFatTree, "fat-tree"},
     {Topology::kRailOptimized, "rail-optimized"},
     {Topology::kSingleSwitch, "single-switch"}}};

// How the fabric picks among equal-cost up links (models/network/topology.hpp says more).
enum class Routing : std::uint8_t {
  kDestinationModK,  // up link = destination port index mod uplinks (InfiniBand ftree routing)
  kEcmpHash,         // up link = fixed hash of (src GPU, dst GPU, flow index) (Ethernet ECMP)
};
const char* to_string(Routing r);
// The spellings of CONTRACT.md's `cluster.network.routing`.
inline constexpr EnumNames<Routing, 2> kRoutingNames = {
    {{Routing::kDestinationModK, "destination-mod-k"}, {Routing::kEcmpHash, "ecmp-hash"}}};

struct NetworkSpec {
  Topology topology = Topology::kFatTree;
  double oversubscription = 1.0;  // above the leaf; 1 means non-blocking
  // The scenario's cluster.network.algorithm: the algorithm of every all-reduce (nullopt:
  // NCCL's tuner decides). Other collectives keep theirs (ring, or direct for point-to-point):
  // tree, NVLS and hierarchical are all-reduce algorithms.
  std::optional<Algorithm> algorithm;
  // Fabric details (nullopt: TopologyOptions' defaults, models/network/topology.hpp).
  std::optional<int> switch_radix;
  std::optional<Routing> routing;
};

struct ClusterSpec {
  NodeSpec node;
  int nodes = 1;
  NetworkSpec network;
  int gpus() const { return node.gpus * nodes; }
};

}  // namespace cirrus::models
