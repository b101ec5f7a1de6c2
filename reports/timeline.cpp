#include "reports/timeline.hpp"
#include "common/enum_names.hpp"

#include <algorithm>
#include <tuple>

#include "reports/step_tasks.hpp"

namespace cirrus::reports {

constexpr EnumNames<Activity, 5> kActivityNames = {{{Activity::kForward, "forward"},
                                                    {Activity::kBackward, "backward"},
                                                    {Activity::kRecompute, "recompute"},
                                                    {Activity::kOptimizer, "optimizer"},
                                                    {Activity::kCommunication, "communication"}}};

const char* to_string(Activity a) { return name_in(kActivityNames, a); }

Timeline timeline_of(const models::StepGraph& g, const sim::RunResult& run, double merge_gap) {
  Timeline tl;
  tl.stages = static_cast<int>(g.compute_stream.size());
  tl.makespan_s = run.stats.makespan.seconds();
  const double gap = merge_gap * tl.makespan_s;
  const auto passes = task_passes(g);
  const auto& tasks = g.graph.tasks();
  std::vector<TimelineBlock> raw;
  raw.reserve(tasks.size());
  std::vector<double> busy(
      static_cast<std::size_t>(std::max(0, static_cast<int>(g.compute_stream.size()))), 0.0);
  for (sim::TaskId t = 0; t < tasks.size(); ++t) {
    const auto& task = tasks[t];
    const auto& tm = run.timings[t];
    const int stage = static_cast<int>(task.label);
    if (stage < 0 || stage >= static_cast<int>(g.compute_stream.size())) continue;
    const bool on_compute = g.compute_stream[static_cast<std::size_t>(stage)] == task.stream;
    TimelineBlock b;
    b.stage = stage;
    b.lane = on_compute ? 0 : 1;
    b.start_s = tm.start.seconds();
    b.end_s = tm.end.seconds();
    const auto* pass = passes[t] >= 0 ? &g.passes[static_cast<std::size_t>(passes[t])] : nullptr;
    if (is_communication(task.tag)) {
      b.activity = Activity::kCommunication;
      if (on_compute && pass != nullptr) {
        // Communication that blocks the compute stream belongs to its pass's block there, and
        // shows in the communication lane too.
        TimelineBlock c = b;
        c.lane = 1;
        if (c.end_s > c.start_s) raw.push_back(c);
        b.activity = pass->backward ? Activity::kBackward : Activity::kForward;
      }
    } else if (task.tag == models::kTagRecompute) {
      b.activity = Activity::kRecompute;
    } else if (task.tag == models::kTagOptimizer) {
      b.activity = Activity::kOptimizer;
    } else {
      b.activity = pass != nullptr && pass->backward ? Activity::kBackward : Activity::kForward;
    }
    // Communication beside compute is one busy lane; compute blocks keep their micro-batch.
    if (pass != nullptr && b.lane == 0) b.micro_batch = pass->micro_batch;
    if (on_compute) busy[static_cast<std::size_t>(stage)] += b.end_s - b.start_s;
    if (b.end_s > b.start_s) raw.push_back(b);
  }
  std::stable_sort(raw.begin(), raw.end(), [](const TimelineBlock& a, const TimelineBlock& b) {
    return std::tie(a.stage, a.lane, a.start_s) < std::tie(b.stage, b.lane, b.start_s);
  });
  for (const auto& b : raw) {
    if (!tl.blocks.empty()) {
      auto& last = tl.blocks.back();
      const bool same_kind =
          last.stage == b.stage && last.lane == b.lane &&
          (b.lane == 1 || (last.activity == b.activity && last.micro_batch == b.micro_batch));
      if (same_kind && b.start_s <= last.end_s + gap) {
        last.end_s = std::max(last.end_s, b.end_s);
        continue;
      }
    }
    tl.blocks.push_back(b);
  }
  for (double b : busy) {
    tl.idle_fraction.push_back(tl.makespan_s > 0 ? std::max(0.0, 1.0 - b / tl.makespan_s) : 0.0);
  }
  return tl;
}

}  // namespace cirrus::reports
