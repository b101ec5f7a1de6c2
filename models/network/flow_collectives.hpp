#pragma once
// The flow network model's last step: lowered collectives (flow_lowering.hpp, included here)
// on the engine's task graph. Link resources, each phase's flows behind a join, per-link
// statistics, and one collective simulated alone, as nccl-tests runs it.
//
// Link capacities in the flow model are the raw rates times NCCL Simple's efficiency on the
// link's class (simple_efficiency): what a saturated link delivers to payload.
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "models/network/cluster.hpp"
#include "models/network/collectives.hpp"
#include "models/network/flow_lowering.hpp"
#include "models/network/topology.hpp"
#include "sim/task_graph.hpp"

namespace cirrus::models {

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
