#pragma once
// The flow communication model: collectives are lowered onto the cluster's NetworkTopology
// (models/network/flow_collectives.hpp) and share its links, max-min.
//   - TP and CP collectives run over the representative's own group. Other TP/CP groups of the
//     stage run the same collectives on other GPUs' scale-up ports (and, for groups that span
//     nodes, other NICs); they are not simulated, so traffic of those groups that would meet
//     the representative's on a shared leaf or spine is not seen.
//   - Data-parallel collectives (gradient all-reduce or reduce-scatter, ZeRO all-gathers, the
//     HSDP replica all-reduce) and expert-parallel and expert-data-parallel ones run over EVERY
//     such group of the stage (RankLayout::stage_groups): all groups of all stages load NICs,
//     leaves and spines together, which is where oversubscription shows.
//   - Pipeline sends: every rank of stage s sends to its counterpart in the next (or previous)
//     stage at once, one multi-pair transfer (lower_sends) on the same links.
// Lowerings are cached by (group, stage, kind, bytes) and added to the graph as often as the
// step issues them. Resources are the topology's links, named after them; links crossed by the
// same classes alike are merged into one constraint (StepGraph::resource_representative).
#include <memory>

#include "models/network/flow_collectives.hpp"
#include "models/network/topology.hpp"
#include "models/step/comm_backend.hpp"

namespace cirrus::models {

// The flow model's state for one step graph: the cluster's topology (built for in.cluster,
// outliving the graph's run) and the task-graph resources of its links.
struct FlowNetwork {
  explicit FlowNetwork(const NetworkTopology& t) : topology(t), links(t) {}
  const NetworkTopology& topology;
  LinkResources links;
};

// Throws TopologyError naming cluster.network.algorithm when the pinned algorithm cannot run
// one of the step's all-reduces.
std::unique_ptr<CommBackend> make_flow_comm(const StepInput& in, const RankLayout& layout,
                                            StepGraph& out, FlowNetwork& network);

}  // namespace cirrus::models
