#include "models/simulate.hpp"

#include <algorithm>
#include <fmt/format.h>

#include "common/units.hpp"
#include "models/analytic_step.hpp"

namespace cirrus::models {
namespace {

void add_to(Breakdown& b, std::uint16_t tag, double seconds) {
  switch (tag) {
    case kTagCompute: b.compute += seconds; break;
    case kTagRecompute: b.recompute += seconds; break;
    case kTagTpComm: b.tp_comm += seconds; break;
    case kTagCpComm: b.cp_comm += seconds; break;
    case kTagPpComm: b.pp_comm += seconds; break;
    case kTagDpComm: b.dp_comm += seconds; break;
    case kTagOptimizer: b.optimizer += seconds; break;
    case kTagEpComm: b.ep_comm += seconds; break;
    default: b.pp_bubble += seconds; break;
  }
}

// Attributes an idle gap [from, to) on the compute stream to what the next task waited for.
void attribute_gap(Breakdown& b, const sim::TaskGraph& g, const sim::RunResult& run,
                   sim::TaskId waited_for, sim::Time from, sim::Time to) {
  if (to <= from) return;
  const double gap = (to - from).seconds();
  if (waited_for >= g.task_count()) {
    b.pp_bubble += gap;
    return;
  }
  const auto& task = g.tasks()[waited_for];
  const auto& tm = run.timings[waited_for];
  if (task.tag == kTagPpComm) {
    // Only the part of the wait during which the activation was in flight is communication;
    // before that the stage idled for its neighbour: the pipeline bubble.
    const sim::Time lo = std::max(from, tm.start);
    const sim::Time hi = std::min(to, tm.end);
    const double in_flight = hi > lo ? (hi - lo).seconds() : 0.0;
    b.pp_comm += in_flight;
    b.pp_bubble += gap - in_flight;
    return;
  }
  if (task.tag == kTagCompute || task.tag == kTagRecompute || task.tag == kTagOptimizer) {
    b.pp_bubble += gap;  // waiting on another stage's kernels
    return;
  }
  add_to(b, task.tag, gap);
}

}  // namespace

Breakdown critical_path_breakdown(const StepGraph& sg, const sim::RunResult& run) {
  const auto& g = sg.graph;
  Breakdown b;
  if (g.task_count() == 0) return b;
  // The critical stage is the one whose work ends last.
  sim::TaskId last = 0;
  for (sim::TaskId t = 0; t < g.task_count(); ++t) {
    if (run.timings[t].end > run.timings[last].end) last = t;
  }
  const auto stage = g.tasks()[last].label;
  const auto stream = sg.compute_stream[stage];
  sim::Time cursor = sim::Time::zero();
  for (sim::TaskId t = 0; t < g.task_count(); ++t) {
    const auto& task = g.tasks()[t];
    if (task.stream != stream) continue;
    const auto& tm = run.timings[t];
    attribute_gap(b, g, run, tm.binding, cursor, tm.start);
    add_to(b, task.tag, (tm.end - tm.start).seconds());
    cursor = tm.end;
  }
  // After the last kernel the stage waits for its trailing communication.
  attribute_gap(b, g, run, last, cursor, run.stats.makespan);
  return b;
}

SimulationOutput simulate_step_detailed(const StepInput& in) {
  SimulationOutput out;
  StepResult& r = out.result;
  if (!check_feasible(in, r)) return out;
  const auto& gpu = in.cluster.node.gpu;
  const ComputeModel compute(gpu, in.training.precision, in.profile.get());
  out.graph = build_step(in, compute);
  out.run = sim::run(out.graph.graph);
  const double step = out.run.stats.makespan.seconds();
  r.step_time_s = step;
  r.breakdown = critical_path_breakdown(out.graph, out.run);
  fill_rates(in, compute.peak(), r);
  // Busiest links over the step.
  const auto& caps = out.graph.graph.resource_capacities();
  for (std::size_t i = 0; i < caps.size(); ++i) {
    const double util = out.run.stats.resource_bytes[i] / (caps[i] * step);
    if (util > 0) r.links.push_back({out.graph.resource_names[i], util});
  }
  std::stable_sort(r.links.begin(), r.links.end(),
                   [](const LinkUse& a, const LinkUse& b) { return a.utilization > b.utilization; });
  if (r.links.size() > 5) r.links.resize(5);
  // Calibrated only when every kernel came from the profile and there is no communication:
  // the step builder's collectives are still the tuner's (a measured busbw curve feeds only
  // `cirrus collective` so far).
  bool communicates = false;
  for (const auto& t : out.graph.graph.tasks()) {
    if (t.tag >= kTagTpComm && t.tag <= kTagDpComm) {
      communicates = true;
      break;
    }
  }
  r.calibrated = compute.calibrated() && !communicates;
  r.assumptions = compute.assumptions();
  r.assumptions.push_back(
      "communication: NCCL tuner model (ring/tree x LL/LL128/Simple) on datasheet link rates; "
      "no measured collective profile");
  if (!in.model.approximation.empty()) r.assumptions.push_back(in.model.approximation);
  if (in.model.moe) {
    r.assumptions.push_back(
        "MoE: the simulated rank is the straggler holding the hottest expert (its other experts "
        "of average popularity); expert all-to-alls are not overlapped with compute; experts "
        "are split over tp (Megatron-Core's default expert tensor parallelism) and EP groups "
        "are folded into dp x cp with rank stride tp");
    const MoeConfig& moe = *in.model.moe;
    r.assumptions.push_back(
        !moe.drop_tokens        ? "MoE routing: dropless (every routed token is computed)"
        : moe.pad_to_capacity   ? "MoE routing: tokens over capacity dropped, expert buffers "
                                  "padded to capacity (computed and exchanged in full)"
                                : "MoE routing: tokens over capacity dropped, buffers not "
                                  "padded (only kept tokens computed and exchanged)");
  }
  r.tasks = out.graph.graph.task_count();
  r.events = out.run.stats.events;
  return out;
}

StepResult simulate_step(const StepInput& in) { return simulate_step_detailed(in).result; }

}  // namespace cirrus::models
