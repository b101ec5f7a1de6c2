#include "reports/step_tasks.hpp"

#include <fmt/format.h>

namespace cirrus::reports {

std::vector<std::int32_t> task_passes(const models::StepGraph& g) {
  std::vector<std::int32_t> out(g.graph.task_count(), -1);
  for (std::size_t p = 0; p < g.passes.size(); ++p) {
    const auto& pass = g.passes[p];
    for (sim::TaskId t = pass.first; t < pass.end && t < out.size(); ++t) {
      out[t] = static_cast<std::int32_t>(p);
    }
  }
  return out;
}

std::string tag_name(std::uint16_t tag) {
  switch (tag) {
    case models::kTagCompute:
      return "compute";
    case models::kTagRecompute:
      return "recompute";
    case models::kTagTpComm:
      return "TP communication";
    case models::kTagCpComm:
      return "CP communication";
    case models::kTagPpComm:
      return "pipeline send";
    case models::kTagDpComm:
      return "DP communication";
    case models::kTagOptimizer:
      return "optimizer";
    default:
      return fmt::format("tag {}", tag);
  }
}

bool is_communication(std::uint16_t tag) {
  return tag == models::kTagTpComm || tag == models::kTagCpComm || tag == models::kTagPpComm ||
         tag == models::kTagDpComm || tag >= models::kTagCount;
}

std::vector<StreamInfo> stream_infos(const models::StepGraph& g,
                                     const std::vector<std::int32_t>& passes) {
  const auto& tasks = g.graph.tasks();
  std::vector<StreamInfo> out(g.graph.stream_count());
  std::vector<bool> seen(out.size(), false);
  for (sim::TaskId t = 0; t < tasks.size(); ++t) {
    const auto& task = tasks[t];
    if (task.stream >= out.size() || seen[task.stream]) continue;
    seen[task.stream] = true;
    StreamInfo& info = out[task.stream];
    info.stage = static_cast<int>(task.label);
    const auto& cs = g.compute_stream;
    const bool compute = info.stage < static_cast<int>(cs.size()) &&
                         cs[static_cast<std::size_t>(info.stage)] == task.stream;
    if (compute) {
      info.name = "compute";
      info.order = 0;
    } else if (task.tag == models::kTagPpComm) {
      const bool backward =
          passes[t] >= 0 && g.passes[static_cast<std::size_t>(passes[t])].backward;
      info.name = backward ? "pipeline sends (backward)" : "pipeline sends (forward)";
      info.order = backward ? 3 : 2;
    } else {
      info.name = tag_name(task.tag);
      info.order = task.tag == models::kTagTpComm ? 1 : task.tag == models::kTagDpComm ? 5 : 4;
    }
  }
  return out;
}

}  // namespace cirrus::reports
