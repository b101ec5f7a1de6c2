// Lowered collectives on the engine's task graph, and one collective simulated alone
// (flow_collectives.hpp).
#include "models/network/flow_collectives.hpp"

#include <algorithm>

namespace cirrus::models {

LinkResources::LinkResources(const NetworkTopology& topology)
    : topology_(&topology), by_link_(topology.link_count(), 0xffffffffu) {}

sim::ResourceId LinkResources::resource(sim::TaskGraph& graph, LinkId link) {
  sim::ResourceId& r = by_link_.at(link);
  if (r == 0xffffffffu) {
    const Link& l = topology_->link(link);
    r = graph.add_resource(l.capacity * simple_efficiency(l.link_class));
    used_.emplace_back(link, r);
  }
  return r;
}

sim::TaskId add_collective(sim::TaskGraph& graph, LinkResources& links,
                           const LoweredCollective& collective, sim::TaskId after,
                           std::uint16_t tag, std::uint32_t label, sim::StreamId stream,
                           std::vector<sim::UseSpan>* class_uses) {
  sim::TaskId gate = after;
  std::vector<sim::UseSpan> local;
  std::vector<sim::UseSpan>& spans = class_uses != nullptr ? *class_uses : local;
  if (spans.size() != collective.classes.size()) {
    spans.clear();
    spans.reserve(collective.classes.size());
    std::vector<sim::ResourceUse> uses;
    for (const FlowClass& fc : collective.classes) {
      uses.clear();
      for (std::uint32_t i = 0; i < fc.uses_count; ++i) {
        const LinkLoad& u = collective.uses[fc.uses_begin + i];
        uses.push_back(sim::ResourceUse{links.resource(graph, u.link), u.coefficient});
      }
      spans.push_back(graph.add_uses(uses));
    }
  }
  if (stream != sim::kNoStream) {
    const sim::TaskId open = graph.add_delay(stream, sim::Time::zero(), tag, label);
    if (after != sim::kNoTask) graph.add_edge(after, open);
    gate = open;
  }
  std::vector<sim::TaskId> flows;
  std::size_t c = 0;
  for (std::uint32_t phase = 0; phase < collective.phases; ++phase) {
    flows.clear();
    for (; c < collective.classes.size() && collective.classes[c].phase == phase; ++c) {
      const FlowClass& fc = collective.classes[c];
      const sim::TaskId t =
          graph.add_shared_flow(sim::kNoStream, sim::Time::from_seconds(fc.latency_s), fc.bytes,
                                spans[c], tag, label, 1.0, fc.bound);
      if (gate != sim::kNoTask) graph.add_edge(gate, t);
      flows.push_back(t);
    }
    // A zero-length join closes the phase; the last one closes the collective (on the stream).
    const bool last = phase + 1 == collective.phases;
    const sim::TaskId join =
        graph.add_delay(last ? stream : sim::kNoStream, sim::Time::zero(), tag, label);
    for (const sim::TaskId t : flows) graph.add_edge(t, join);
    if (flows.empty() && gate != sim::kNoTask) graph.add_edge(gate, join);
    gate = join;
  }
  if (collective.phases == 0) {
    const sim::TaskId close = graph.add_delay(stream, sim::Time::zero(), tag, label);
    if (gate != sim::kNoTask) graph.add_edge(gate, close);
    return close;
  }
  return gate;
}

std::vector<LinkStat> link_statistics(const NetworkTopology& topology, const LinkResources& links,
                                      const sim::RunResult& run, double seconds, std::size_t top) {
  std::vector<LinkStat> out;
  out.reserve(links.used().size());
  for (const auto& [link, resource] : links.used()) {
    const double bytes =
        resource < run.stats.resource_bytes.size() ? run.stats.resource_bytes[resource] : 0.0;
    const double cap = topology.link(link).capacity;
    const double util = seconds > 0 && cap > 0 ? bytes / (cap * seconds) : 0.0;
    out.push_back(LinkStat{link, std::string(), bytes, util});
  }
  std::sort(out.begin(), out.end(), [](const LinkStat& a, const LinkStat& b) {
    if (a.utilization != b.utilization) return a.utilization > b.utilization;
    if (a.bytes != b.bytes) return a.bytes > b.bytes;
    return a.link < b.link;
  });
  if (top > 0 && out.size() > top) out.resize(top);
  for (LinkStat& s : out) s.name = topology.link_name(s.link);
  return out;
}

std::vector<int> all_ranks(const NetworkTopology& topology) {
  std::vector<int> r(static_cast<std::size_t>(topology.gpus()));
  for (std::size_t i = 0; i < r.size(); ++i) r[i] = static_cast<int>(i);
  return r;
}

CollectiveRun simulate_collective(const NetworkTopology& topology, CollectiveKind kind,
                                  double bytes, const std::vector<int>& ranks,
                                  const CollectiveOptions& options) {
  const LoweredCollective c = lower_collective(topology, kind, bytes, ranks, options);
  CollectiveRun run;
  run.kind = kind;
  run.bytes = bytes;
  run.ranks = c.ranks;
  run.nodes = c.nodes;
  run.algorithm = c.algorithm;
  run.protocol = c.protocol;
  run.model = options.model;
  run.from_profile = c.from_profile;
  run.idle_seconds = c.idle_seconds;
  run.flows = c.flows;
  run.classes = c.classes.size();
  if (options.model == NetworkModel::kAnalytic || c.phases == 0) {
    run.seconds = c.idle_seconds;
  } else {
    sim::TaskGraph graph;
    LinkResources links(topology);
    add_collective(graph, links, c, sim::kNoTask, 0);
    const sim::RunResult r = sim::run(graph);
    run.seconds = r.stats.makespan.seconds();
    if (options.top_links > 0) {
      run.links = link_statistics(topology, links, r, run.seconds, options.top_links);
    }
  }
  if (run.seconds > 0) {
    run.algbw = bytes / run.seconds;
    run.busbw = run.algbw * bus_factor(kind, run.ranks);
  }
  return run;
}

CollectiveRun simulate_collective(const ClusterSpec& cluster, CollectiveKind kind, double bytes,
                                  const std::vector<int>& ranks, const CollectiveOptions& options) {
  const NetworkTopology topology(cluster, options.topology);
  return simulate_collective(topology, kind, bytes, ranks, options);
}

}  // namespace cirrus::models
