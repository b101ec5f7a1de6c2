#pragma once
// Aggregation of a collective's raw flows into classes: the flow network model's second step,
// between the lowering (flow_lowering.cpp builds the RawFlows) and the task graph
// (flow_collectives.hpp adds the classes).
//
// Flows that cannot be told apart by the max-min solver are merged into one class: one solver
// variable whose rate is each member's rate, using every link with a coefficient equal to the
// members crossing it. Classes are the coarsest equitable partition
// of the bipartite flow/link graph of the collective (colour refinement from (phase, bytes,
// bound, latency) and the link capacities): members of a class cross the same number of links
// of each link class, and links of a class carry the same number of flows of each flow class.
// Progressive filling then saturates every link of a class at the same level and fixes every
// member of a flow class at the same rate, so the aggregated solve is exact for the collective
// on its own (the property test checks it against the unaggregated solve). Where refinement
// does not settle within a few rounds, flows are merged only when their routes are identical,
// which is always exact. Added to a graph with other traffic, a class moves in lockstep at the
// pace of its most loaded member, as the steps of NCCL's pipelined ring do.
#include <cstdint>
#include <vector>

#include "models/network/flow_lowering.hpp"
#include "models/network/topology.hpp"

namespace cirrus::models {

// A collective's flows before aggregation, one entry per flow, in the order they were lowered.
struct RawFlows {
  std::vector<std::uint32_t> begin{0};  // route of flow f: links[begin[f] .. begin[f + 1])
  std::vector<LinkId> links;
  std::vector<std::uint32_t> phase;
  std::vector<double> bytes;
  std::vector<double> bound;
  std::vector<double> latency;

  std::size_t size() const { return phase.size(); }
  void add(std::uint32_t ph, double b, double rate, double lat, const std::vector<LinkId>& route) {
    links.insert(links.end(), route.begin(), route.end());
    begin.push_back(static_cast<std::uint32_t>(links.size()));
    phase.push_back(ph);
    bytes.push_back(b);
    bound.push_back(rate);
    latency.push_back(lat);
  }
};

// The collective `out` (its metadata already set) with the classes of `flows`: with `merge`
// the coarsest equitable partition (identical routes only where refinement does not settle),
// without it one class per flow. Classes come in phase order, first appearance first within
// a phase; each class's link uses are sorted by link, coefficient = members crossing the link.
LoweredCollective aggregate_flows(const NetworkTopology& topology, const RawFlows& flows,
                                  bool merge, LoweredCollective out);

}  // namespace cirrus::models
