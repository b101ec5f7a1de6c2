#pragma once
// Collectives lowered onto the cluster's links as NCCL runs them: the flow network model's
// first half (flow_collectives.hpp adds the result to a task graph and simulates it).
//
// A collective over an ordered list of GPU ranks becomes phases of flows on a NetworkTopology.
// Every flow waits its protocol latency, then moves its bytes over its route at the rate the
// max-min solver gives it, capped by a bound: the rate the protocol sustains on an idle link.
// Latency, bound and the algorithm/protocol choice come from the NCCL tuner model in
// models/network/collectives.hpp, so a collective alone on an idle cluster takes the tuner's
// time, and contention for shared links (other collectives, pipeline sends, an oversubscribed
// leaf, a rail crossing) slows it.
//
// Lowerings (n ranks on M nodes, p per node; S = the nccl-tests size):
//   ring (all_reduce, all_gather, reduce_scatter; broadcast as the ring's chain from the
//     first rank): NCCL's pipelined ring is one phase in which every rank sends to its ring
//     successor at once. The ring visits the ranks node by node (nodes in order of first
//     appearance), so one edge per node boundary crosses the network per channel. One channel
//     per NIC the node's ranks use: channel c enters each node at the GPU owning NIC c, walks
//     the node's GPUs and leaves through NIC c again (NCCL keeps a channel on one NIC; the
//     last GPU reaches it over NVLink, PXN), so the crossing stays on one rail. Each channel
//     carries bus_bytes / channels.
//   tree (all_reduce, NCCL's double binary tree): per channel a chain through the node's GPUs
//     headed by the NIC's GPU, and two complementary binary trees over the nodes (NCCL's
//     mirrored or shifted second tree), each carrying half the channel's data; phase 1 reduces
//     up (chain to head, child node head to parent node head), phase 2 broadcasts down.
//   hierarchical (all_reduce): intra-node reduce-scatter ring, then p concurrent inter-node
//     ring all-reduces of S/p among the GPUs of equal local index, then an intra-node
//     all-gather ring: three phases.
//   nvls (all_reduce inside one NVSwitch-gen-3 node): every GPU moves S (n+1)/n up to the
//     switch and as much down, one phase.
//   direct (all_to_all: S/n from every rank to every other; send_recv: S from rank i to rank
//     i+1 of the list, cyclically): point-to-point flows, each with the tuner's send/recv
//     latency and bound for its size and link class, one phase.
// The tuner picks the algorithm by size and topology (ring or tree, NVLS where the node has
// it); CollectiveOptions::algorithm overrides it.
//
// The flows are then merged into classes the max-min solver cannot tell apart
// (flow_aggregation.hpp): a LoweredCollective holds the classes and their per-link loads.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "models/network/collectives.hpp"
#include "models/network/topology.hpp"

namespace cirrus::models {

enum class NetworkModel : std::uint8_t {
  kFlow,      // flows on the topology's links, max-min shared (lowered here)
  kAnalytic,  // the tuner's formula alone (collective_cost): fast, blind to the topology
};
const char* to_string(NetworkModel m);

struct CollectiveOptions {
  std::optional<Algorithm> algorithm;  // nullopt: NCCL's tuner decides
  NetworkModel model = NetworkModel::kFlow;
  bool aggregate = true;       // merge indistinguishable flows into classes
  BusBwProfile profile;        // measured busbw; empty: the tuner's figures
  TopologyOptions topology;    // for the ClusterSpec overloads
  std::size_t top_links = 10;  // how many links CollectiveRun::links keeps (0: none)
};

// One class of `members` identical flows.
struct FlowClass {
  std::uint32_t phase = 0;
  double bytes = 0;      // per member
  double bound = 0;      // bytes/s per member (+infinity: none)
  double latency_s = 0;  // before the bytes move
  std::uint32_t members = 1;
  std::uint32_t uses_begin = 0;  // into LoweredCollective::uses
  std::uint32_t uses_count = 0;
};

struct LinkLoad {
  LinkId link = 0;
  double coefficient = 1;  // members of the class crossing the link
};

// A collective ready to be added to a task graph, any number of times.
struct LoweredCollective {
  CollectiveKind kind = CollectiveKind::kAllReduce;
  double bytes = 0;  // the nccl-tests size
  int ranks = 0;
  int nodes = 0;     // distinct nodes among the ranks
  int per_node = 0;  // most ranks on one node
  int channels = 0;
  Algorithm algorithm = Algorithm::kRing;
  Protocol protocol = Protocol::kSimple;
  bool from_profile = false;  // the time came from a measured busbw
  double idle_seconds = 0;    // the tuner's time on an idle cluster
  std::uint32_t phases = 0;
  std::size_t flows = 0;           // before aggregation
  std::vector<FlowClass> classes;  // in phase order
  std::vector<LinkLoad> uses;
};

// Lowers one collective of `bytes` over `ranks` (global GPU ranks, distinct, in the order of
// the communicator). Throws std::invalid_argument for bad ranks or bytes, TopologyError when
// the requested algorithm cannot run here (NVLS without NVSwitch gen 3 or across nodes, tree
// or hierarchical for anything but all_reduce). One rank or zero bytes: no phases.
LoweredCollective lower_collective(const NetworkTopology& topology, CollectiveKind kind,
                                   double bytes, const std::vector<int>& ranks,
                                   const CollectiveOptions& options = {});

// One point-to-point transfer of `bytes` from GPU `src` to GPU `dst` (a pipeline send): one
// flow with the tuner's send/recv latency and bound for its link class. (kSendRecv above is
// nccl-tests' pattern, every rank sending to the next, so two ranks send both ways.)
LoweredCollective lower_send(const NetworkTopology& topology, int src, int dst, double bytes,
                             const CollectiveOptions& options = {});

// Several communicators running the same collective at once (the data-parallel groups of
// every tensor-parallel position of a pipeline stage, say): one LoweredCollective whose phases
// hold every group's flows, aggregated together, so symmetric groups share classes. Phase k + 1
// of every group starts when phase k of all of them is done (they run in lockstep, as groups
// launched together on a symmetric fabric do). The groups must have the same size; the
// metadata (ranks, nodes, algorithm, idle time) is the first group's.
LoweredCollective lower_collectives(const NetworkTopology& topology, CollectiveKind kind,
                                    double bytes, const std::vector<std::vector<int>>& groups,
                                    const CollectiveOptions& options = {});

// Point-to-point transfers of `bytes` each, all at once (every rank of a pipeline stage sending
// its activation to its counterpart in the next stage): one phase, one flow per (src, dst) pair
// with the tuner's send/recv latency and bound for its size and link class, aggregated into
// classes like a collective's flows. kind is kSendRecv, ranks 2, nodes the most distinct nodes
// of one pair, idle_seconds the slowest pair's time alone.
LoweredCollective lower_sends(const NetworkTopology& topology,
                              const std::vector<std::pair<int, int>>& pairs, double bytes,
                              const CollectiveOptions& options = {});

}  // namespace cirrus::models
