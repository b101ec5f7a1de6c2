#pragma once
// Collectives lowered onto the cluster's links as NCCL runs them: the flow network model.
//
// A collective over an ordered list of GPU ranks becomes phases of flows on a NetworkTopology.
// Every flow waits its protocol latency, then moves its bytes over its route at the rate the
// max-min solver gives it, capped by a bound: the rate the protocol sustains on an idle link.
// Latency, bound and the algorithm/protocol choice come from the NCCL tuner model in
// models/network/collectives.hpp, so a collective alone on an idle cluster takes the tuner's time, and
// contention for shared links (other collectives, pipeline sends, an oversubscribed leaf, a
// rail crossing) slows it.
//
// Link capacities in the flow model are the raw rates times NCCL Simple's efficiency on the
// link's class (simple_efficiency): what a saturated link delivers to payload.
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
// Aggregation. Flows that cannot be told apart by the max-min solver are merged into one
// class: one solver variable whose rate is each member's rate, using every link with a
// coefficient equal to the members crossing it. Classes are the coarsest equitable partition
// of the bipartite flow/link graph of the collective (colour refinement from (phase, bytes,
// bound, latency) and the link capacities): members of a class cross the same number of links
// of each link class, and links of a class carry the same number of flows of each flow class.
// Progressive filling then saturates every link of a class at the same level and fixes every
// member of a flow class at the same rate, so the aggregated solve is exact for the collective
// on its own (the property test checks it against the unaggregated solve). Where refinement
// does not settle within a few rounds, flows are merged only when their routes are identical,
// which is always exact. Added to a graph with other traffic, a class moves in lockstep at the
// pace of its most loaded member, as the steps of NCCL's pipelined ring do.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/network/collectives.hpp"
#include "models/network/cluster.hpp"
#include "models/network/topology.hpp"
#include "sim/task_graph.hpp"

namespace cirrus::models {

enum class NetworkModel : std::uint8_t {
  kFlow,      // flows on the topology's links, max-min shared (this file)
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

// Task-graph resources for the topology's links, created on first use with capacity = raw
// rate x simple_efficiency(link class). One per graph: it remembers which resource is which.
// The topology must outlive it.
class LinkResources {
 public:
  explicit LinkResources(const NetworkTopology& topology);
  sim::ResourceId resource(sim::TaskGraph& graph, LinkId link);
  // (link, resource) pairs in order of creation.
  const std::vector<std::pair<LinkId, sim::ResourceId>>& used() const { return used_; }

 private:
  const NetworkTopology* topology_;
  std::vector<sim::ResourceId> by_link_;
  std::vector<std::pair<LinkId, sim::ResourceId>> used_;
};

// Adds the collective's flows to `graph`: phase k + 1 starts when every flow of phase k is
// done; the first phase waits for `after` (sim::kNoTask: nothing). Returns a zero-length task that
// finishes with the collective. With a `stream`, a zero-length start task on it opens the
// collective and the returned task closes it, so the stream's next task waits for the whole
// collective. Every flow carries `tag` and `label`. A caller that adds the same lowering many
// times passes the same `class_uses` each time: the first call stores each class's link uses in
// the graph and records their spans there, later calls share them (one copy per lowering, not
// per micro-batch).
sim::TaskId add_collective(sim::TaskGraph& graph, LinkResources& links,
                           const LoweredCollective& collective, sim::TaskId after,
                           std::uint16_t tag, std::uint32_t label = 0,
                           sim::StreamId stream = sim::kNoStream,
                           std::vector<sim::UseSpan>* class_uses = nullptr);

struct LinkStat {
  LinkId link = 0;
  std::string name;
  double bytes = 0;        // payload carried over the run
  double utilization = 0;  // bytes / (raw rate x seconds): NCCL Simple's overhead caps it
};

// The links the run used, busiest (highest utilization, then most bytes, then lowest id)
// first; `top` = 0 keeps all. `seconds` is the window utilization is taken over.
std::vector<LinkStat> link_statistics(const NetworkTopology& topology, const LinkResources& links,
                                      const sim::RunResult& run, double seconds, std::size_t top);

struct CollectiveRun {
  CollectiveKind kind = CollectiveKind::kAllReduce;
  double bytes = 0;
  int ranks = 0;
  int nodes = 0;
  Algorithm algorithm = Algorithm::kRing;
  Protocol protocol = Protocol::kSimple;
  NetworkModel model = NetworkModel::kFlow;
  bool from_profile = false;
  double seconds = 0;
  double algbw = 0;         // bytes/s: bytes / seconds (nccl-tests)
  double busbw = 0;         // bytes/s: algbw x bus_factor (nccl-tests)
  double idle_seconds = 0;  // the tuner's time on an idle cluster
  std::size_t flows = 0;
  std::size_t classes = 0;
  std::vector<LinkStat> links;  // busiest first, at most options.top_links
};

// Simulates one collective alone on the topology (the flow model) or by the tuner's formula.
CollectiveRun simulate_collective(const NetworkTopology& topology, CollectiveKind kind,
                                  double bytes, const std::vector<int>& ranks,
                                  const CollectiveOptions& options = {});
CollectiveRun simulate_collective(const ClusterSpec& cluster, CollectiveKind kind, double bytes,
                                  const std::vector<int>& ranks,
                                  const CollectiveOptions& options = {});

// 0, 1, ..., topology.gpus() - 1: every GPU of the cluster, node by node.
std::vector<int> all_ranks(const NetworkTopology& topology);

}  // namespace cirrus::models
