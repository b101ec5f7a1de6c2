#include "models/step/offload_training.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <array>
#include <cmath>

#include "models/hardware/precision.hpp"
#include "models/step/step_costs.hpp"

namespace cirrus::models {
namespace {

using sim::ResourceUse;
using sim::TaskId;
using sim::Time;
constexpr TaskId kNone = sim::kNoTask;

// Mixed-precision Adam on the CPU reads the fp32 gradient, master weight and both moments
// (16 bytes) and writes three of them back plus the 16-bit weight (14): 30 bytes per parameter,
// the accounting of the GPU optimizer in step_builder.cpp; SGD with momentum 22.
double optimizer_traffic(Optimizer o) { return o == Optimizer::kAdam ? 30.0 : 22.0; }
// Optimizer states that live on NVMe are read and written once per step: fp32 master weight,
// momentum and variance (12 bytes) for Adam, master + momentum (8) for SGD.
double nvme_state_bytes(Optimizer o) { return o == Optimizer::kAdam ? 12.0 : 8.0; }
// The CPU optimizer over NVMe-resident states works through them in chunks so reading,
// updating and writing overlap (ZeRO-Infinity's pipelined swapping); 4 chunks is the
// granularity simulated here, not a tuned figure.
constexpr int kOptimizerChunks = 4;

int dp_group(const Strategy& s) { return s.dp * s.cp; }

}  // namespace

double LayerFetch::total() const {
  double t = dense;
  for (double c : expert_chunks) t += c;
  return t;
}

LayerFetch layer_fetch(const StepInput& in, int layer) {
  const auto& s = in.strategy;
  const LayerParams sh = layer_params_per_gpu(in, layer);
  const double w = param_bytes(in.training.precision);
  const double dp = dp_group(s);
  const bool z3 = s.zero >= 3;
  LayerFetch f;
  f.dense = w * sh.dense / (z3 ? dp : 1.0);
  if (sh.expert > 0 && in.model.moe) {
    const int local = std::max(1, in.model.moe->experts / std::max(1, s.ep));
    const int chunks = std::min(local, kMaxExpertChunks);
    const double expert = w * sh.expert / (z3 ? std::max(1.0, dp / s.ep) : 1.0);
    f.expert_chunks.assign(static_cast<std::size_t>(chunks), expert / chunks);
  }
  return f;
}

int extra_expert_chunks(const StepInput& in) {
  const auto& o = in.strategy.offload;
  if (!in.model.moe) return 0;
  const int local = std::max(1, in.model.moe->experts / std::max(1, in.strategy.ep));
  const int chunks = std::min(local, kMaxExpertChunks);
  if (o.prefetch_experts < 0) return o.prefetch_layers * chunks;
  // prefetch_experts counts experts; a chunk holds local / chunks of them.
  return static_cast<int>(std::ceil(static_cast<double>(o.prefetch_experts) * chunks / local));
}

OffloadTasks::OffloadTasks(const StepInput& in, StepGraph& out) : in_(in), out_(out) {}

void OffloadTasks::add_stage(int st) {
  Stage x;
  if (in_.strategy.offload.any()) {
    const TierBandwidths bw = tier_bandwidths(in_.cluster.node);
    auto& g = out_.graph;
    x.h2d = g.add_resource(bw.h2d);
    x.d2h = g.add_resource(bw.d2h);
    out_.resource_names.push_back(fmt::format("stage {} PCIe host-to-device", st));
    out_.resource_names.push_back(fmt::format("stage {} PCIe device-to-host", st));
    // NVMe resources only with a positive rate (a zero-capacity resource would never finish).
    if (bw.nvme_read > 0 && bw.nvme_write > 0) {
      x.has_nvme = true;
      x.nvme_read = g.add_resource(bw.nvme_read);
      x.nvme_write = g.add_resource(bw.nvme_write);
      out_.resource_names.push_back(fmt::format("stage {} NVMe read", st));
      out_.resource_names.push_back(fmt::format("stage {} NVMe write", st));
    }
    x.copy_in = g.add_stream();
    x.copy_out = g.add_stream();
    x.cpu = g.add_stream();
    x.nvme_io = g.add_stream();
  }
  stages_.push_back(std::move(x));
}

TaskId OffloadTasks::copy(Stage& x, int st, sim::StreamId stream, double bytes, bool in, Tier tier,
                          std::uint16_t tag) {
  std::array<ResourceUse, 2> uses{};
  std::size_t n = 0;
  uses[n++] = {in ? x.h2d : x.d2h, 1.0};
  if (tier == Tier::kNvme && x.has_nvme) {
    uses[n++] = {in ? x.nvme_read : x.nvme_write, 1.0};
  }
  return out_.graph.add_flow(stream, Time::zero(), bytes,
                             std::span<const ResourceUse>(uses.data(), n), tag,
                             static_cast<std::uint32_t>(st));
}

TaskId OffloadTasks::before_layer(int st, int layer, sim::StreamId compute, TaskId after) {
  if (!params_offloaded()) return kNone;
  auto& x = stages_[static_cast<std::size_t>(st)];
  auto& g = out_.graph;
  const auto& o = in_.strategy.offload;
  const std::size_t use = x.use_end.size();
  const LayerFetch f = layer_fetch(in_, layer);
  const std::size_t window = static_cast<std::size_t>(o.prefetch_layers) + 1;
  // The dense part waits for its ring buffer: the use prefetch_layers + 1 back must be done.
  TaskId last = copy(x, st, x.copy_in, f.dense, true, o.params, kTagOffload);
  if (use >= window) g.add_edge(x.use_end[use - window], last);
  // Expert chunks wait for their own ring: local chunks + the extra ones ahead.
  const std::size_t expert_window =
      f.expert_chunks.size() + static_cast<std::size_t>(extra_expert_chunks(in_));
  for (double bytes : f.expert_chunks) {
    const std::size_t q = x.expert_chunk_use.size();
    const TaskId c = copy(x, st, x.copy_in, bytes, true, o.params, kTagOffload);
    if (q >= expert_window) {
      const std::size_t owner = x.expert_chunk_use[q - expert_window];
      // The owner of the buffer is an earlier use whose compute ended before this one starts.
      if (owner < use) g.add_edge(x.use_end[owner], c);
    }
    x.expert_chunk_use.push_back(use);
    last = c;
  }
  const TaskId gate =
      g.add_delay(compute, Time::zero(), kTagOffload, static_cast<std::uint32_t>(st));
  g.add_edge(last, gate);
  if (after != kNone) g.add_edge(after, gate);
  return gate;
}

void OffloadTasks::after_layer(int st, int layer, bool backward, bool last_micro_batch, TaskId done,
                               TaskId reduced) {
  auto& x = stages_[static_cast<std::size_t>(st)];
  if (params_offloaded()) x.use_end.push_back(done);
  if (!backward || !optimizer_offloaded()) return;
  const auto& s = in_.strategy;
  // Offloaded parameters: each micro-batch's gradients leave as soon as the layer's backward
  // ends (the host accumulates them). Resident parameters: the accumulated gradients leave once,
  // after the last micro-batch's reduction (a reduce-scatter under ZeRO leaves a 1/dp shard).
  if (!params_offloaded() && !last_micro_batch) return;
  const LayerParams sh = layer_params_per_gpu(in_, layer);
  double bytes = grad_bytes(in_.training.precision) * (sh.dense + sh.expert);
  if (!params_offloaded() && reduced != kNone && s.zero >= 1) bytes /= dp_group(s);
  const TaskId t = copy(x, st, x.copy_out, bytes, false, Tier::kHost, kTagOffload);
  out_.graph.add_edge(reduced != kNone ? reduced : done, t);
  x.last_grad_out = t;
}

TaskId OffloadTasks::optimizer(int st, TaskId sync, double params) {
  auto& x = stages_[static_cast<std::size_t>(st)];
  auto& g = out_.graph;
  const auto& s = in_.strategy;
  const auto& o = s.offload;
  const auto& t = in_.training;
  // Gradients not yet on the host (reduced after the backward pass): move them now.
  if (x.last_grad_out == kNone) {
    x.last_grad_out =
        copy(x, st, x.copy_out, grad_bytes(t.precision) * params, false, Tier::kHost, kTagOffload);
    if (sync != kNone) g.add_edge(sync, x.last_grad_out);
  }
  const TierBandwidths bw = tier_bandwidths(in_.cluster.node);
  const double cpu_s = params * optimizer_traffic(t.optimizer) / bw.host_memory;
  const int chunks = o.optimizer == Tier::kNvme ? kOptimizerChunks : 1;
  TaskId last_cpu = kNone, done = kNone;
  for (int c = 0; c < chunks; ++c) {
    TaskId read = kNone;
    if (o.optimizer == Tier::kNvme && x.has_nvme) {
      // States stream in from NVMe ahead of the update: nothing waits for them but the CPU.
      const std::array<ResourceUse, 1> use{ResourceUse{x.nvme_read, 1.0}};
      read = g.add_flow(x.nvme_io, Time::zero(), params * nvme_state_bytes(t.optimizer) / chunks,
                        use, kTagOffload, static_cast<std::uint32_t>(st));
    }
    const TaskId cpu = g.add_delay(x.cpu, Time::from_seconds(cpu_s / chunks), kTagOptimizer,
                                   static_cast<std::uint32_t>(st));
    g.add_edge(x.last_grad_out, cpu);
    if (sync != kNone) g.add_edge(sync, cpu);
    if (read != kNone) g.add_edge(read, cpu);
    last_cpu = cpu;
    done = cpu;
    if (o.optimizer == Tier::kNvme && x.has_nvme) {
      const std::array<ResourceUse, 1> use{ResourceUse{x.nvme_write, 1.0}};
      const TaskId write =
          g.add_flow(x.copy_out, Time::zero(), params * nvme_state_bytes(t.optimizer) / chunks, use,
                     kTagOffload, static_cast<std::uint32_t>(st));
      g.add_edge(cpu, write);
      done = write;
    }
  }
  // The updated 16-bit parameters go where the parameters live.
  const double wbytes = param_bytes(t.precision) * params;
  if (o.params == Tier::kGpu) {
    const TaskId up = copy(x, st, x.copy_in, wbytes, true, Tier::kHost, kTagOffload);
    g.add_edge(last_cpu, up);
    done = up;
  } else if (o.params == Tier::kNvme && x.has_nvme) {
    const std::array<ResourceUse, 1> use{ResourceUse{x.nvme_write, 1.0}};
    const TaskId w = g.add_flow(x.copy_out, Time::zero(), wbytes, use, kTagOffload,
                                static_cast<std::uint32_t>(st));
    g.add_edge(last_cpu, w);
    done = w;
  }
  return done;
}

OffloadSummary offload_summary(const StepGraph& sg, const sim::RunResult& run, const Breakdown& b,
                               int stage) {
  OffloadSummary out;
  const auto& g = sg.graph;
  for (sim::TaskId t = 0; t < g.task_count(); ++t) {
    const auto& task = g.tasks()[t];
    if (task.tag != kTagOffload || task.label != static_cast<std::uint32_t>(stage)) continue;
    out.transfer_s += (run.timings[t].end - run.timings[t].start).seconds();
  }
  out.exposed_s = b.offload;
  return out;
}

}  // namespace cirrus::models

namespace cirrus::models {

OffloadOverlay offload_overlay(const StepInput& in, int stage, double fwd_layer_s,
                               double bwd_layer_s, int micro_batches, double held) {
  OffloadOverlay o;
  const auto& s = in.strategy;
  const auto& off = s.offload;
  if (!off.any()) return o;
  const TierBandwidths bw = tier_bandwidths(in.cluster.node);
  const auto& t = in.training;
  // The stage's layers, as the step builder numbers them (chunk c of stage st: c x pp + st).
  const int v = s.schedule == Schedule::kInterleaved ? std::max(1, s.virtual_stages) : 1;
  const int per_chunk = in.model.layers / (s.pp * v);
  double fetch = 0, grads = 0, largest_grad = 0;
  int layers = 0;
  for (int c = 0; c < v; ++c) {
    for (int l = 0; l < per_chunk; ++l) {
      const int layer = (c * s.pp + stage) * per_chunk + l;
      fetch += layer_fetch(in, layer).total();
      const LayerParams p = layer_params_per_gpu(in, layer);
      const double g = grad_bytes(t.precision) * (p.dense + p.expert);
      grads += g;
      largest_grad = std::max(largest_grad, g);
      ++layers;
    }
  }
  if (layers == 0) return o;
  const double mb = micro_batches;
  if (off.params_offloaded()) {
    double rate = bw.h2d;
    if (off.params == Tier::kNvme && bw.nvme_read > 0) rate = std::min(rate, bw.nvme_read);
    const double tf = fetch / layers / rate;  // one layer's fetch
    auto exposed = [&](double compute) {
      return off.prefetch_layers >= 1 ? std::max(0.0, tf - compute) : tf;
    };
    o.exposed_s += tf + mb * layers * (exposed(fwd_layer_s) + exposed(bwd_layer_s));
    o.transfer_s += 2.0 * mb * fetch / rate;
  }
  if (off.optimizer_offloaded()) {
    // Gradients leave each backward (offloaded parameters) or once (resident ones); the last
    // layer's copy has nothing to hide behind.
    const double copies = off.params_offloaded() ? mb * grads : grads;
    o.transfer_s += copies / bw.d2h;
    o.exposed_s += largest_grad / bw.d2h;
    const double cpu = held * (t.optimizer == Optimizer::kAdam ? 30.0 : 22.0) / bw.host_memory;
    o.optimizer_s = cpu;
    if (off.optimizer == Tier::kNvme && bw.nvme_read > 0 && bw.nvme_write > 0) {
      const double states = held * (t.optimizer == Optimizer::kAdam ? 12.0 : 8.0);
      const double io = std::max(states / bw.nvme_read, states / bw.nvme_write);
      o.transfer_s += states / bw.nvme_read + states / bw.nvme_write;
      o.exposed_s += std::max(0.0, io - cpu);
    }
    if (off.params == Tier::kGpu) {
      const double up = held * param_bytes(t.precision) / bw.h2d;
      o.transfer_s += up;
      o.exposed_s += up;
    }
  }
  return o;
}

}  // namespace cirrus::models
