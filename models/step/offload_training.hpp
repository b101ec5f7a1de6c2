#pragma once
// Hierarchical storage in the simulated training step (SE-MoE's 2D prefetch; ZeRO-Offload /
// ZeRO-Infinity placement). The step builder calls these hooks; they add, per pipeline stage:
//   - a copy-in stream and a copy-out stream on the GPU's PCIe link (one resource per
//     direction), and the GPU's share of the node's NVMe read and write bandwidth;
//   - before each use of a layer (its forward, or its recomputation + backward, for one
//     micro-batch) the transfer of that layer's parameters from host memory or NVMe, issued
//     as soon as a buffer of the ring is free: the GPU holds prefetch_layers + 1 layer buffers,
//     so the transfer for use u waits for the compute of use u - (prefetch_layers + 1) to end;
//     MoE layers move their local experts as separate chunks with their own ring of
//     local_experts + prefetch_experts buffers (prefetch across experts);
//   - a zero-length gate on the compute stream that waits for the transfer: time the compute
//     stream idles there is exposed transfer (breakdown "offload"); while the copy streams run
//     beside compute the transfer is hidden;
//   - gradients copied device-to-host (every backward use when the parameters are offloaded,
//     else once after the last micro-batch) and the optimizer step on the CPU, memory-bound at
//     the node's DRAM bandwidth, with optimizer states read from and written to NVMe when they
//     live there; then the updated parameters go back where they live.
#include <vector>

#include "models/step/step_graph.hpp"
#include "models/step/step_input.hpp"
#include "models/step/step_result.hpp"

namespace cirrus::models {

// Bytes one GPU fetches for one use of `layer` (weights in the training precision, after TP,
// EP and ZeRO-3 sharding): the dense part and one entry per expert chunk.
struct LayerFetch {
  double dense = 0;
  std::vector<double> expert_chunks;
  double total() const;
};
LayerFetch layer_fetch(const StepInput& in, int layer);

// Experts of one MoE layer on one GPU are moved in at most this many chunks (bounds the task
// count for fine-grained experts; chunks are equal).
inline constexpr int kMaxExpertChunks = 16;

// Expert chunk buffers in the expert ring beyond those of the layer in use.
int extra_expert_chunks(const StepInput& in);

class OffloadTasks {
 public:
  OffloadTasks(const StepInput& in, StepGraph& out);
  bool params_offloaded() const { return in_.strategy.offload.params_offloaded(); }
  bool optimizer_offloaded() const { return in_.strategy.offload.optimizer_offloaded(); }

  // Resources and streams for stage `st`; call for stages 0, 1, ... in order.
  void add_stage(int st);
  // Before a layer use: adds the transfers and the gate on `compute`; the gate also waits for
  // `after` when given. Returns the gate (sim::kNoTask when the parameters are resident, in
  // which case nothing is added).
  sim::TaskId before_layer(int st, int layer, sim::StreamId compute, sim::TaskId after);
  // After a layer use ended with task `done` (its last compute task, or the gradient reduction
  // launched right after it): frees its ring buffer and moves its gradients out when due.
  void after_layer(int st, int layer, bool backward, bool last_micro_batch, sim::TaskId done,
                   sim::TaskId reduced);
  // The optimizer step of stage `st` when its states are offloaded, over the `params` this GPU
  // updates (after ZeRO sharding): after `sync` (gradient reduction, may be kNoTask) and the
  // gradient copies. Returns the task the parameter all-gather must wait for.
  sim::TaskId optimizer(int st, sim::TaskId sync, double params);

 private:
  struct Stage {
    sim::ResourceId h2d = 0, d2h = 0, nvme_read = 0, nvme_write = 0;
    bool has_nvme = false;
    sim::StreamId copy_in = 0, copy_out = 0, cpu = 0, nvme_io = 0;
    std::vector<sim::TaskId> use_end;           // per use, in order
    std::vector<std::size_t> expert_chunk_use;  // per expert chunk fetched, its use
    sim::TaskId last_grad_out = sim::kNoTask;
  };
  sim::TaskId copy(Stage& x, int st, sim::StreamId stream, double bytes, bool in, Tier tier,
                   std::uint16_t tag);

  const StepInput& in_;
  StepGraph& out_;
  std::vector<Stage> stages_;
};

// Reads the offload summary off a simulated step: copy time on the critical stage and the
// exposed part of it (breakdown.offload).
OffloadSummary offload_summary(const StepGraph& g, const sim::RunResult& run, const Breakdown& b,
                               int stage);

}  // namespace cirrus::models

namespace cirrus::models {

// The closed-form counterpart for the analytic model (planner sweeps): with a ring of
// prefetch_layers + 1 buffers each fetch runs beside the previous layer's compute, so a use
// exposes max(0, T - C) (all of T without a spare buffer), plus the first fetch and the last
// layer's gradient copy; the CPU optimizer replaces the GPU one (NVMe: the slowest of reading,
// updating and writing the states, as the chunks pipeline), and resident parameters are
// uploaded after it. `layer_s` is one layer's forward and one layer's backward (+ recompute)
// compute per micro-batch; `held` the parameters this GPU updates.
struct OffloadOverlay {
  double exposed_s = 0;    // transfers compute does not hide
  double optimizer_s = 0;  // the CPU optimizer (0 when the optimizer stays on the GPU)
  double transfer_s = 0;   // all copies of the step
};
OffloadOverlay offload_overlay(const StepInput& in, int stage, double fwd_layer_s,
                               double bwd_layer_s, int micro_batches, double held);

}  // namespace cirrus::models
