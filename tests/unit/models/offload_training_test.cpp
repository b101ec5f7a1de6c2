// Hierarchical storage in the simulated step: prefetch hides the parameter transfers when a
// transfer is shorter than the compute it runs beside, and exposes the difference when not;
// memory moves off the GPU; tier bandwidths come from the node spec.
#include <catch2/catch.hpp>

#include "common/units.hpp"
#include "models/step/analytic_step.hpp"
#include "models/step/offload_training.hpp"
#include "models/step/simulate.hpp"
#include "models/step/step_costs.hpp"
#include "models/workload/memory.hpp"

namespace {

using namespace cirrus;
using namespace cirrus::models;

double sum(const std::vector<Segment>& segs) {
  double s = 0;
  for (const auto& x : segs) s += x.seconds;  // no collectives at tp = dp = 1
  return s;
}

// One H100 (a DGX H100 cut to one GPU), a 4-layer dense model, one micro-batch, everything
// offloaded to host memory with one layer prefetched ahead.
StepInput small_input() {
  StepInput in;
  in.model.name = "tiny";
  in.model.layers = 4;
  in.model.hidden = 1024;
  in.model.heads = 8;
  in.model.kv_heads = 8;
  in.model.ffn_hidden = 4096;
  in.model.vocab = 32000;
  in.model.seq_len = 1024;
  in.training.global_batch = 1;
  in.cluster.node = *find_node("dgx-h100");
  in.cluster.node.gpus = 1;
  in.cluster.nodes = 1;
  in.strategy.offload.params = Tier::kHost;
  in.strategy.offload.optimizer = Tier::kHost;
  in.strategy.offload.prefetch_layers = 1;
  return in;
}

// Time the compute stream of stage 0 idled at the parameter gates (waiting for a fetch): the
// exposed part of the prefetched transfers, without the trailing gradient copies.
double gate_wait(const SimulationOutput& o) {
  const auto& g = o.graph.graph;
  const auto stream = o.graph.compute_stream[0];
  sim::Time cursor = sim::Time::zero();
  double wait = 0;
  for (sim::TaskId t = 0; t < g.task_count(); ++t) {
    if (g.tasks()[t].stream != stream) continue;
    const auto& tm = o.run.timings[t];
    if (g.tasks()[t].tag == kTagOffload) wait += (tm.start - cursor).seconds();
    cursor = tm.end;
  }
  return wait;
}

struct Times {
  double emb_f, fwd, bwd, head;
};
Times times_of(const StepInput& in) {
  const ComputeModel cm(in.cluster.node.gpu, in.training.precision);
  const StepPrograms p = step_programs(in, cm);
  return {sum(p.emb_f), sum(p.fwd), sum(p.bwd), sum(p.head_f) + sum(p.head_b)};
}

}  // namespace

TEST_CASE("offload: a layer fetch is its weights in 16 bits", "[models][offload]") {
  const StepInput in = small_input();
  // h = 1024, f = 4h: attention 4h^2 + GeLU FFN 2 h f = 12 h^2, two norms 4h; 2 bytes each.
  const double h = 1024;
  const LayerFetch f = layer_fetch(in, 0);
  CHECK(f.dense == Approx(2.0 * (12.0 * h * h + 4.0 * h)));
  CHECK(f.expert_chunks.empty());
}

TEST_CASE("offload: prefetch hides transfers shorter than the compute beside them",
          "[models][offload]") {
  StepInput in = small_input();
  const Times t = times_of(in);
  const double bytes = layer_fetch(in, 0).total();
  // Transfer = half the shorter of a layer's forward and backward: each fetch runs beside
  // the previous layer's compute and ends before it. Only the very first fetch has nothing to
  // hide behind but the embedding: exposed = max(0, T - embedding forward).
  const double transfer = 0.5 * std::min(t.fwd, t.bwd);
  in.cluster.node.pcie_copy_bw = bytes / transfer;
  const SimulationOutput o = simulate_step_detailed(in);
  const StepResult& r = o.result;
  REQUIRE(r.feasible);
  REQUIRE(r.offload.has_value());
  CHECK(gate_wait(o) == Approx(std::max(0.0, transfer - t.emb_f)).margin(1e-12));
  // Exposed overall also counts the last layers' gradient copies after the backward pass.
  CHECK(r.offload->exposed_s >= gate_wait(o) - 1e-12);
  CHECK(r.breakdown.offload == Approx(r.offload->exposed_s));
  // 2 L fetches of T each, plus the gradients' device-to-host copies, on the copy streams.
  CHECK(r.offload->transfer_s >= 8 * transfer * (1 - 1e-9));
  CHECK(r.breakdown.total() == Approx(r.step_time_s).epsilon(0.01));
}

TEST_CASE("offload: transfers longer than compute are exposed by the difference",
          "[models][offload]") {
  StepInput in = small_input();
  const Times t = times_of(in);
  const double bytes = layer_fetch(in, 0).total();
  // Transfer-bound: T = 4 x the longest compute. The copy stream runs back to back, so the
  // gate of use u (u = 0 .. 2L-1: forwards, then backwards) opens at (u + 1) T; the last one at
  // 2 L T. Idle before it = 2 L T - (embedding fwd + L fwd + head + (L - 1) bwd).
  const double transfer = 4.0 * std::max({t.fwd, t.bwd, t.head, t.emb_f});
  in.cluster.node.pcie_copy_bw = bytes / transfer;
  const SimulationOutput o = simulate_step_detailed(in);
  const StepResult& r = o.result;
  REQUIRE(r.feasible);
  REQUIRE(r.offload.has_value());
  const double L = 4;
  const double expected = 2 * L * transfer - (t.emb_f + L * t.fwd + t.head + (L - 1) * t.bwd);
  CHECK(gate_wait(o) == Approx(expected).epsilon(1e-6));
  CHECK(r.offload->exposed_s >= expected * (1 - 1e-6));
  CHECK(r.breakdown.total() == Approx(r.step_time_s).epsilon(0.01));
}

TEST_CASE("offload: a deeper prefetch window never slows the step", "[models][offload]") {
  StepInput in = small_input();
  const Times t = times_of(in);
  in.cluster.node.pcie_copy_bw = layer_fetch(in, 0).total() / (0.9 * (t.fwd + t.bwd));
  in.strategy.offload.prefetch_layers = 0;
  const StepResult none = simulate_step(in);
  in.strategy.offload.prefetch_layers = 2;
  const StepResult deep = simulate_step(in);
  REQUIRE(none.feasible);
  REQUIRE(deep.feasible);
  // Without a spare buffer a fetch waits for the previous layer to finish: nothing overlaps.
  CHECK(deep.step_time_s < none.step_time_s);
  CHECK(deep.offload->exposed_s < none.offload->exposed_s);
}

TEST_CASE("offload: memory leaves the GPU and lands in host memory", "[models][offload]") {
  StepInput in = small_input();
  const MemoryEstimate e = estimate_memory(in.model, in.training, in.strategy, 0);
  StepInput resident = in;
  resident.strategy.offload = Offload{};
  const MemoryEstimate g = estimate_memory(resident.model, resident.training, resident.strategy, 0);
  const double h = 1024, layer = 12.0 * h * h + 4.0 * h;
  const double all = g.params / 2.0;  // bf16 weights: 2 bytes per parameter
  const double embeddings = all - 4 * layer;
  // GPU: embeddings + a ring of 2 layers, 2 bytes each; gradients likewise (fp32, 4 bytes).
  CHECK(e.params == Approx(2.0 * (embeddings + 2 * layer)));
  CHECK(e.grads == Approx(4.0 * (embeddings + 2 * layer)));
  CHECK(e.optimizer == 0);
  // Host: the 4 layers' weights (2 B), Adam states (12 B) and fp32 gradients (4 B) of all.
  CHECK(e.host == Approx(2.0 * 4 * layer + 16.0 * all));
  CHECK(e.total < g.total);
}

TEST_CASE("offload: host memory and NVMe capacity are checked", "[models][offload]") {
  StepInput in = small_input();
  in.cluster.node.host_memory_bytes = 1e6;  // 1 MB: far too little
  StepResult r = simulate_step(in);
  CHECK_FALSE(r.feasible);
  CHECK_THAT(r.infeasible_reason, Catch::Contains("host memory"));
  in = small_input();
  in.strategy.offload.optimizer = Tier::kNvme;
  in.cluster.node.nvme_bytes = 0;
  r = simulate_step(in);
  CHECK_FALSE(r.feasible);
  CHECK_THAT(r.infeasible_reason, Catch::Contains("NVMe"));
}

TEST_CASE("offload: NVMe-resident optimizer states cost their reads and writes",
          "[models][offload]") {
  StepInput in = small_input();
  in.strategy.offload.params = Tier::kGpu;
  const StepResult host = simulate_step(in);
  in.strategy.offload.optimizer = Tier::kNvme;
  const StepResult nvme = simulate_step(in);
  REQUIRE(host.feasible);
  REQUIRE(nvme.feasible);
  CHECK(nvme.step_time_s > host.step_time_s);
  CHECK(nvme.offload->nvme_gib > 0);
}

TEST_CASE("offload: tier bandwidths come from the node spec", "[models][offload]") {
  const TierBandwidths b = tier_bandwidths(*find_node("dgx-h100"));
  CHECK(b.pcie_measured);
  CHECK(b.h2d == Approx(51e9));  // nvbandwidth host-to-device on H100
  // 8 drives x 7.0 GB/s read, 3.8 GB/s write, shared by 8 GPUs.
  CHECK(b.nvme_read == Approx(7.0e9));
  CHECK(b.nvme_write == Approx(3.8e9));
  // 2 sockets x 8 channels x 38.4 GB/s DDR5-4800, 80%, over 8 GPUs.
  CHECK(b.host_memory == Approx(614.4e9 * 0.8 / 8));
}

TEST_CASE("fused communication issues fewer gradient collectives", "[models][offload]") {
  StepInput in = small_input();
  in.strategy.offload = Offload{};
  in.cluster.node = *find_node("dgx-h100");
  in.model.hidden = 256;
  in.model.heads = 4;
  in.model.kv_heads = 4;
  in.model.ffn_hidden = 1024;
  in.strategy.dp = 8;
  in.training.global_batch = 8;
  const ComputeModel cm(in.cluster.node.gpu, in.training.precision);
  auto dp_tasks = [&](const StepInput& x) {
    const StepGraph g = build_step(x, cm);
    int n = 0;
    for (const auto& t : g.graph.tasks()) n += t.tag == kTagDpComm ? 1 : 0;
    return n;
  };
  const int per_layer = dp_tasks(in);
  in.strategy.offload.fused_comm = true;
  const int fused = dp_tasks(in);
  // A layer: 12 x 256^2 + 4 x 256 = 787,456 parameters, 3.15 MB of fp32 gradients; the 4
  // layers (12.6 MB) never fill a 25 MiB bucket, so one collective at the end of the chunk.
  // The output and input embeddings' gradients are a bucket each either way.
  CHECK(per_layer == 4 + 2);
  CHECK(fused == 1 + 2);
}

TEST_CASE("offload: the analytic overlay by hand", "[models][offload]") {
  StepInput in = small_input();
  const Times t = times_of(in);
  const double bytes = layer_fetch(in, 0).total();
  // Hidden case: T = half the shorter compute. Exposed = the first fetch T plus the last
  // layer's gradient copy, fp32 (4 B vs 2 B per parameter): 2T at the same PCIe rate = 3T.
  const double transfer = 0.5 * std::min(t.fwd, t.bwd);
  in.cluster.node.pcie_copy_bw = bytes / transfer;
  OffloadOverlay o = offload_overlay(in, 0, t.fwd, t.bwd, 1, 0.0);
  CHECK(o.exposed_s == Approx(3 * transfer));
  // Transfer-bound: T = 2 (C_f + C_b); each of the L forward and L backward uses exposes
  // T - C: T + (T - C_f) L + (T - C_b) L + 2T.
  const double slow = 2 * (t.fwd + t.bwd);
  in.cluster.node.pcie_copy_bw = bytes / slow;
  o = offload_overlay(in, 0, t.fwd, t.bwd, 1, 0.0);
  CHECK(o.exposed_s == Approx(slow + 4 * (slow - t.fwd) + 4 * (slow - t.bwd) + 2 * slow));
  // The analytic step carries it into the breakdown and the summary.
  const StepResult r = analytic_step(in);
  REQUIRE(r.feasible);
  REQUIRE(r.offload.has_value());
  CHECK(r.breakdown.offload == Approx(r.offload->exposed_s));
}
