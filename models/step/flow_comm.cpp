#include "models/step/flow_comm.hpp"

#include <fmt/format.h>
#include <bit>
#include <map>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "models/step/step_costs.hpp"

namespace cirrus::models {
namespace {

using sim::StreamId;
using sim::TaskId;

constexpr sim::ResourceId kNoResource = static_cast<sim::ResourceId>(-1);

// (group, or -1 for a pipeline send; stage; kind, or the destination stage of a send; bytes).
using LoweringKey = std::tuple<int, int, int, double>;

class FlowComm final : public CommBackend {
 public:
  FlowComm(const StepInput& in, const RankLayout& layout, StepGraph& out, FlowNetwork& network)
      : CommBackend(in, layout, out), net_(network) {}

  void add_stage(int /*stage*/) override {}  // links become resources on first use

  TaskId collective(int stage, StreamId stream, CollectiveKind kind, double bytes, RankGroup group,
                    std::uint16_t tag, TaskId after) override {
    const LoweredCollective& lc =
        cached({static_cast<int>(group), stage, static_cast<int>(kind), bytes}, [&] {
          return lower_collectives(net_.topology, kind, bytes, simulated_groups(group, stage),
                                   lowering_options(kind));
        });
    count(lc.from_profile);
    return add_collective(out_.graph, net_.links, lc, after, tag, static_cast<std::uint32_t>(stage),
                          stream, &stored_uses_[&lc]);
  }

  TaskId send(int from, int to, StreamId stream, TaskId after) override {
    const double bytes = pipeline_send_bytes(in_);
    const LoweredCollective& lc = cached({-1, from, to, bytes}, [&] {
      const std::vector<int> src = layout_.stage_ranks(from);
      const std::vector<int> dst = layout_.stage_ranks(to);
      std::vector<std::pair<int, int>> pairs;
      pairs.reserve(src.size());
      for (std::size_t i = 0; i < src.size(); ++i) pairs.emplace_back(src[i], dst[i]);
      return lower_sends(net_.topology, pairs, bytes, lowering_options(CollectiveKind::kSendRecv));
    });
    count(false);  // stage-wide sends: the tuner's send/recv model, never a profile's curve
    return add_collective(out_.graph, net_.links, lc, after, kTagPpComm,
                          static_cast<std::uint32_t>(from), stream, &stored_uses_[&lc]);
  }

  void finish() override {
    // Every resource of a flow-model graph is a link.
    auto& names = out_.resource_names;
    names.resize(out_.graph.resource_capacities().size());
    for (const auto& [link, resource] : net_.links.used()) {
      names[resource] = net_.topology.link_name(link);
    }
    // Symmetric links (every NIC of a stage carrying the same classes) are one constraint.
    out_.resource_representative = link_representatives();
    out_.graph.merge_resources(out_.resource_representative);
  }

 private:
  // The groups of `group` the step simulates on `stage`: the representative's TP or CP group
  // (the others sit on other GPUs' scale-up links); every data-parallel, expert-parallel and
  // expert-data-parallel group of the stage, since those cross the fabric together and contend
  // for its links.
  std::vector<std::vector<int>> simulated_groups(RankGroup group, int stage) const {
    if (group == RankGroup::kTp || group == RankGroup::kCp) {
      return {layout_.group(group, layout_.representative(stage))};
    }
    return layout_.stage_groups(group, stage);
  }

  // Lowers once per key; the pinned algorithm applies to all-reduces.
  template <typename Lower>
  const LoweredCollective& cached(const LoweringKey& key, Lower&& lower) {
    auto it = lowered_.find(key);
    if (it != lowered_.end()) return it->second;
    try {
      return lowered_.emplace(key, lower()).first->second;
    } catch (const TopologyError& e) {
      if (!in_.cluster.network.algorithm) throw;
      throw TopologyError(fmt::format("cluster.network.algorithm: {}", e.what()));
    }
  }

  CollectiveOptions lowering_options(CollectiveKind kind) const {
    CollectiveOptions o;
    if (kind == CollectiveKind::kAllReduce) o.algorithm = in_.cluster.network.algorithm;
    o.top_links = 0;
    if (in_.profile && !in_.cluster.network.algorithm) {
      // Measured busbw where the profile has this collective at this rank and node count.
      o.profile = [p = in_.profile](CollectiveKind k, double bytes, int ranks, int spanned) {
        return p->collective_busbw(k, ranks, spanned, bytes);
      };
    }
    return o;
  }

  // Each link resource's representative: the lowest-numbered resource with the same capacity
  // crossed by the same classes of the same lowerings with the same coefficients. Every flow
  // of the graph is a class of a cached lowering (add_collective adds all of a lowering's
  // classes each time), so equal signatures mean equal uses in the graph: the merge is exact
  // (TaskGraph::merge_identical_resources, the scanning version, is the test oracle).
  std::vector<sim::ResourceId> link_representatives() const {
    const auto& used = net_.links.used();
    const std::size_t resources = out_.graph.resource_capacities().size();
    std::vector<sim::ResourceId> rep(resources);
    for (std::size_t r = 0; r < resources; ++r) rep[r] = static_cast<sim::ResourceId>(r);
    std::vector<sim::ResourceId> resource_of(net_.topology.link_count(), kNoResource);
    for (const auto& [link, resource] : used) resource_of[link] = resource;
    // Signature per resource: (lowering, class, coefficient) in lowering and class order.
    std::vector<std::vector<std::uint64_t>> signature(resources);
    std::uint64_t index = 0;
    for (const auto& [key, lc] : lowered_) {
      for (std::size_t c = 0; c < lc.classes.size(); ++c, ++index) {
        const FlowClass& fc = lc.classes[c];
        for (std::uint32_t i = 0; i < fc.uses_count; ++i) {
          const LinkLoad& u = lc.uses[fc.uses_begin + i];
          const sim::ResourceId r = resource_of[u.link];
          if (r == kNoResource) continue;
          auto& sig = signature[r];
          sig.push_back(index);
          sig.push_back(std::bit_cast<std::uint64_t>(u.coefficient));
        }
      }
    }
    std::map<std::pair<double, std::vector<std::uint64_t>>, sim::ResourceId> first;
    for (std::size_t r = 0; r < resources; ++r) {
      if (signature[r].empty()) continue;
      const auto [it, fresh] = first.emplace(
          std::make_pair(out_.graph.resource_capacities()[r], std::move(signature[r])),
          static_cast<sim::ResourceId>(r));
      if (!fresh) rep[r] = it->second;
    }
    return rep;
  }

  FlowNetwork& net_;
  std::map<LoweringKey, LoweredCollective> lowered_;
  // Each lowering's class uses, stored once in the graph and shared by all its additions.
  std::unordered_map<const LoweredCollective*, std::vector<sim::UseSpan>> stored_uses_;
};

}  // namespace

std::unique_ptr<CommBackend> make_flow_comm(const StepInput& in, const RankLayout& layout,
                                            StepGraph& out, FlowNetwork& network) {
  return std::make_unique<FlowComm>(in, layout, out, network);
}

}  // namespace cirrus::models
