#include "models/step/simulate.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <optional>

#include "common/units.hpp"
#include "models/step/analytic_step.hpp"
#include "models/step/offload_training.hpp"
#include "models/step/step_costs.hpp"
#include "models/workload/memory.hpp"

namespace cirrus::models {
namespace {

void add_to(Breakdown& b, std::uint16_t tag, double seconds) {
  switch (tag) {
    case kTagCompute:
      b.compute += seconds;
      break;
    case kTagRecompute:
      b.recompute += seconds;
      break;
    case kTagTpComm:
      b.tp_comm += seconds;
      break;
    case kTagCpComm:
      b.cp_comm += seconds;
      break;
    case kTagPpComm:
      b.pp_comm += seconds;
      break;
    case kTagDpComm:
      b.dp_comm += seconds;
      break;
    case kTagOptimizer:
      b.optimizer += seconds;
      break;
    case kTagOffload:
      b.offload += seconds;
      break;
    case kTagEpComm:
      b.ep_comm += seconds;
      break;
    default:
      b.pp_bubble += seconds;
      break;
  }
}

// Attributes an idle gap [from, to) on the compute stream to what the next task waited for.
void attribute_gap(Breakdown& b, const StepGraph& sg, const sim::RunResult& run,
                   sim::TaskId waited_for, sim::Time from, sim::Time to) {
  const sim::TaskGraph& g = sg.graph;
  if (to <= from) return;
  const double gap = (to - from).seconds();
  if (waited_for >= g.task_count()) {
    b.pp_bubble += gap;
    return;
  }
  const auto& task = g.tasks()[waited_for];
  if (task.tag == kTagPpComm) {
    // A transfer of the flow model ends in zero-length joins: the flow that released the last
    // join is the one in flight.
    sim::TaskId t = waited_for;
    while (g.tasks()[t].bytes == 0 && run.timings[t].end == run.timings[t].start &&
           run.timings[t].binding < g.task_count() &&
           g.tasks()[run.timings[t].binding].tag == kTagPpComm) {
      t = run.timings[t].binding;
    }
    const auto& flight = run.timings[t];
    // Only the part of the wait during which the activation was in flight is communication;
    // before that the stage idled for its neighbour: the pipeline bubble.
    const sim::Time lo = std::max(from, flight.start);
    const sim::Time hi = std::min(to, flight.end);
    const double in_flight = hi > lo ? (hi - lo).seconds() : 0.0;
    b.pp_comm += in_flight;
    b.pp_bubble += gap - in_flight;
    return;
  }
  const bool on_gpu = std::find(sg.compute_stream.begin(), sg.compute_stream.end(), task.stream) !=
                      sg.compute_stream.end();
  if (task.tag == kTagOptimizer && !on_gpu) {
    b.optimizer += gap;  // the CPU optimizer of offloaded optimizer states
    return;
  }
  if (task.tag == kTagCompute || task.tag == kTagRecompute || task.tag == kTagOptimizer) {
    b.pp_bubble += gap;  // waiting on another stage's kernels
    return;
  }
  add_to(b, task.tag, gap);
}

// Where the collectives' times came from, for the assumptions.
std::string collective_source(const StepInput& in, const StepGraph& g) {
  if (!in.profile) return "no measured collective profile";
  return fmt::format(
      "{} of {} collectives and sends timed from the calibration profile's "
      "measured busbw (the rest: not measured at that rank count, node count or "
      "size)",
      g.collectives_measured, g.collectives);
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
    attribute_gap(b, sg, run, tm.binding, cursor, tm.start);
    add_to(b, task.tag, (tm.end - tm.start).seconds());
    cursor = tm.end;
  }
  // After the last kernel the stage waits for its trailing work: walk back from the last task
  // through the predecessors that made each one ready, attributing each one's share of
  // [cursor, makespan] (from its ready time) to its cause. A single trailing collective gets it
  // all, as before; a chain (gradient copies, the CPU optimizer, an all-gather) is split.
  sim::Time hi = run.stats.makespan;
  sim::TaskId t = last;
  while (t < g.task_count() && hi > cursor) {
    const auto& tm = run.timings[t];
    const sim::Time lo = std::max(cursor, tm.ready);
    if (hi > lo) attribute_gap(b, sg, run, t, lo, hi);
    hi = std::min(hi, lo);
    t = tm.binding;
  }
  if (hi > cursor) b.pp_bubble += (hi - cursor).seconds();
  return b;
}

double step_task_floor(const StepInput& in) {
  // In doubles: 2^24 micro-batches x 16,384 layers is past any integer the graph could count.
  // Recompute passes are left out: a floor must not count what a policy may skip.
  return static_cast<double>(micro_batches(in)) * static_cast<double>(in.model.layers) * 2.0;
}

SimulationOutput simulate_step_detailed(const StepInput& in, const SimulateOptions& options) {
  SimulationOutput out;
  StepResult& r = out.result;
  r.calibration = calibration_of(in.profile.get());
  if (!check_feasible(in, r)) return out;
  const double floor = step_task_floor(in);
  if (floor > static_cast<double>(sim::kDefaultTaskLimit)) {
    r.refuse(Infeasibility::kTooLargeToSimulate,
             fmt::format("too large to simulate: at least {:.0f} tasks ({} micro-batches x {} "
                         "layers x 2 passes), limit {}",
                         floor, micro_batches(in), in.model.layers, sim::kDefaultTaskLimit));
    return out;
  }
  const auto& gpu = in.cluster.node.gpu;
  const ComputeModel compute(gpu, in.training.precision, in.profile.get());
  const bool flow = options.network == NetworkModel::kFlow;
  std::optional<NetworkTopology> own;
  const NetworkTopology* topology = options.topology;
  if (flow && topology == nullptr) {
    own.emplace(in.cluster, topology_options(in.cluster.network));
    topology = &*own;
  }
  std::optional<FlowNetwork> network;
  if (flow) network.emplace(*topology);
  try {
    out.graph = build_step(in, compute, network ? &*network : nullptr);
  } catch (const sim::GraphTooLarge& e) {
    // The floor undercounts collectives' flows: the builder stops at the limit itself.
    out.graph = StepGraph{};
    r.refuse(Infeasibility::kTooLargeToSimulate,
             fmt::format("too large to simulate: over {} tasks (the engine's limit) with {} "
                         "micro-batches x {} layers",
                         e.limit(), micro_batches(in), in.model.layers));
    return out;
  }
  out.run = sim::run(out.graph.graph);
  const auto& rep = out.graph.resource_representative;
  auto& bytes = out.run.stats.resource_bytes;
  for (std::size_t i = 0; i < rep.size() && i < bytes.size(); ++i) {
    if (rep[i] != i) bytes[i] = bytes[rep[i]];
  }
  const double step = out.run.stats.makespan.seconds();
  r.step_time_s = step;
  r.breakdown = critical_path_breakdown(out.graph, out.run);
  fill_rates(in, compute.peak(), r);
  // Busiest links over the step.
  if (network) {
    for (const LinkStat& l :
         link_statistics(*topology, network->links, out.run, step, options.top_links)) {
      if (l.utilization > 0) r.links.push_back({l.name, l.utilization});
    }
  } else {
    const auto& caps = out.graph.graph.resource_capacities();
    for (std::size_t i = 0; i < caps.size(); ++i) {
      const double util = out.run.stats.resource_bytes[i] / (caps[i] * step);
      if (util > 0) r.links.push_back({out.graph.resource_names[i], util});
    }
    std::stable_sort(r.links.begin(), r.links.end(), [](const LinkUse& a, const LinkUse& b) {
      return a.utilization > b.utilization;
    });
    if (r.links.size() > options.top_links) r.links.resize(options.top_links);
  }
  // Calibrated only when every kernel and every collective came from the profile (pipeline
  // sends never do: they are the tuner's send/recv model).
  const auto& sg = out.graph;
  r.calibrated = compute.calibrated() && sg.collectives == sg.collectives_measured;
  r.assumptions = compute.assumptions();
  if (in.strategy.offload.any()) {
    // The critical stage is the one whose work ends last (as in the breakdown).
    sim::TaskId last = 0;
    const auto& g = out.graph.graph;
    for (sim::TaskId t = 0; t < g.task_count(); ++t) {
      if (out.run.timings[t].end > out.run.timings[last].end) last = t;
    }
    const int stage = static_cast<int>(g.tasks()[last].label);
    OffloadSummary o = offload_summary(out.graph, out.run, r.breakdown, stage);
    const MemoryEstimate mem = estimate_memory(in.model, in.training, in.strategy, stage);
    o.host_gib = mem.host / kGiB;
    o.nvme_gib = mem.nvme / kGiB;
    r.offload = o;
    for (auto& a : offload_assumptions(in.cluster.node, in.strategy.offload)) {
      r.assumptions.push_back(std::move(a));
    }
  }
  if (flow) {
    r.assumptions.push_back(fmt::format(
        "communication: flow model on the cluster's {} network ({}{}, {} routing): NCCL tuner "
        "choice and protocol latency, link capacities = datasheet rates x NCCL Simple "
        "efficiency; {}",
        in.cluster.nodes > 1 ? to_string(in.cluster.network.topology) : "single-node",
        in.cluster.network.oversubscription > 1
            ? fmt::format("{}:1 oversubscribed", in.cluster.network.oversubscription)
            : "non-blocking",
        in.cluster.network.algorithm
            ? fmt::format(", all-reduces {}", to_string(*in.cluster.network.algorithm))
            : "",
        to_string(topology->options().routing), collective_source(in, sg)));
  } else {
    r.assumptions.push_back(
        fmt::format("communication: analytic NCCL tuner model (ring/tree x LL/LL128/Simple) on "
                    "datasheet link rates, blind to the fabric; {}",
                    collective_source(in, sg)));
  }
  if (!in.model.approximation.empty()) r.assumptions.push_back(in.model.approximation);
  if (in.training.finetune.frozen_base()) {
    r.assumptions.push_back(
        "fine-tuning: frozen base weights take no gradient, optimizer state or weight-gradient "
        "GEMM; adapters kept as PEFT keeps them (fp32 weights, fp32 gradients, fp32 optimizer "
        "states; recalled, unverified); MFU counts the FLOPs executed (forward, input gradients, "
        "attention backward, adapters), not 3 x forward; activations by Korthikanti's formula "
        "plus the adapters' r-wide intermediates");
    if (in.training.finetune.base_bits < 16) {
      r.assumptions.push_back(fmt::format(
          "fine-tuning: the frozen GEMM weights in {}-bit ({:.3f} bits per parameter with their "
          "quantization constants; NF4 double quantization 0.127 bits, Dettmers et al. 2023) "
          "are dequantized to 16 bits before every GEMM that reads them, forward and backward, "
          "as a memory-bound pass; embeddings, output layer and norms stay 16-bit",
          in.training.finetune.base_bits, frozen_weight_bits(in.training.finetune.base_bits)));
    }
  }
  if (in.model.moe) {
    r.assumptions.push_back(
        "MoE: the simulated rank is the straggler holding the hottest expert (its other experts "
        "of average popularity); expert all-to-alls are not overlapped with compute; experts "
        "are split over tp (Megatron-Core's default expert tensor parallelism) and EP groups "
        "are folded into dp x cp with rank stride tp");
    const MoeConfig& moe = *in.model.moe;
    r.assumptions.push_back(
        !moe.drop_tokens      ? "MoE routing: dropless (every routed token is computed)"
        : moe.pad_to_capacity ? "MoE routing: tokens over capacity dropped, expert buffers "
                                "padded to capacity (computed and exchanged in full)"
                              : "MoE routing: tokens over capacity dropped, buffers not "
                                "padded (only kept tokens computed and exchanged)");
  }
  r.tasks = out.graph.graph.task_count();
  r.events = out.run.stats.events;
  return out;
}

StepResult simulate_step(const StepInput& in, const SimulateOptions& options) {
  return simulate_step_detailed(in, options).result;
}

}  // namespace cirrus::models
