#include "models/step/analytic_comm.hpp"

#include <fmt/format.h>
#include <array>
#include <span>
#include <vector>

#include "models/step/step_costs.hpp"

namespace cirrus::models {
namespace {

using sim::ResourceUse;
using sim::StreamId;
using sim::TaskId;
using sim::Time;

class AnalyticComm final : public CommBackend {
 public:
  AnalyticComm(const StepInput& in, const RankLayout& layout, StepGraph& out)
      : CommBackend(in, layout, out) {}

  void add_stage(int stage) override {
    const auto& node = in_.cluster.node;
    auto& g = out_.graph;
    Links x{};
    x.nvl_out = g.add_resource(node.scale_up_bw);
    x.nvl_in = g.add_resource(node.scale_up_bw);
    x.nic_out = g.add_resource(nic_share(node));
    x.nic_in = g.add_resource(nic_share(node));
    for (const char* dir : {"scale-up out", "scale-up in", "NIC out", "NIC in"}) {
      out_.resource_names.push_back(fmt::format("stage {} {}", stage, dir));
    }
    links_.push_back(x);
  }

  TaskId collective(int stage, StreamId stream, CollectiveKind kind, double bytes, RankGroup group,
                    std::uint16_t tag, TaskId after) override {
    const GroupShape shape = layout_.shape(group);
    const int n = shape.size;
    const int local = shape.ranks_per_node(layout_.gpus_per_node());
    const CollectiveCost c = step_collective_cost(in_, kind, bytes, n, local);
    std::array<ResourceUse, 4> uses{};
    std::size_t used = 0;
    const Links& x = links_[static_cast<std::size_t>(stage)];
    if (local > 1) {
      uses[used++] = {x.nvl_out, 1.0};
      uses[used++] = {x.nvl_in, 1.0};
    }
    if (local < n) {
      // Each rank's bus bytes leave the node through NICs shared by the `local` ranks.
      uses[used++] = {x.nic_out, 1.0 / local};
      uses[used++] = {x.nic_in, 1.0 / local};
    }
    const TaskId t = out_.graph.add_flow(stream, Time::from_seconds(c.latency_s), c.bus_bytes,
                                         std::span<const ResourceUse>(uses.data(), used), tag,
                                         static_cast<std::uint32_t>(stage), 1.0, c.rate_cap);
    count(c.from_profile);
    if (after != sim::kNoTask) out_.graph.add_edge(after, t);
    return t;
  }

  TaskId send(int from, int to, StreamId stream, TaskId after) override {
    const bool local = layout_.stages_share_node(from, to);
    const CollectiveCost c = step_collective_cost(in_, CollectiveKind::kSendRecv,
                                                  pipeline_send_bytes(in_), 2, local ? 2 : 1);
    count(c.from_profile);
    const Links& a = links_[static_cast<std::size_t>(from)];
    const Links& b = links_[static_cast<std::size_t>(to)];
    const std::array<ResourceUse, 2> uses{ResourceUse{local ? a.nvl_out : a.nic_out, 1.0},
                                          ResourceUse{local ? b.nvl_in : b.nic_in, 1.0}};
    const TaskId t =
        out_.graph.add_flow(stream, Time::from_seconds(c.latency_s), c.bus_bytes, uses, kTagPpComm,
                            static_cast<std::uint32_t>(from), 1.0, c.rate_cap);
    out_.graph.add_edge(after, t);
    return t;
  }

  void finish() override {}

 private:
  struct Links {
    sim::ResourceId nvl_out, nvl_in, nic_out, nic_in;
  };
  std::vector<Links> links_;  // per stage
};

}  // namespace

std::unique_ptr<CommBackend> make_analytic_comm(const StepInput& in, const RankLayout& layout,
                                                StepGraph& out) {
  return std::make_unique<AnalyticComm>(in, layout, out);
}

}  // namespace cirrus::models
