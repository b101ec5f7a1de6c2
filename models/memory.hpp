#pragma once
// Per-GPU memory of one training configuration (DESIGN.md, "Memory"): parameters, gradients,
// optimizer states, activations (Korthikanti et al. 2022, arXiv:2205.05198, per layer for each
// tensor-parallel / sequence-parallel / recompute case, times the pipeline's in-flight
// micro-batches) and a runtime allowance. Every figure is bytes per GPU; infeasibility (total >
// capacity) is for the caller to decide, this model only counts.
#include <vector>

#include "models/strategy.hpp"
#include "models/transformer.hpp"

namespace cirrus::models {

struct MemoryEstimate {  // bytes per GPU
  double params = 0, grads = 0, optimizer = 0, activations = 0, buffers = 0, total = 0;
  // Offloaded model states this GPU's process keeps in host memory / on the node's NVMe
  // (strategy.offload); not part of `total`, which is GPU memory.
  double host = 0, nvme = 0;
};

// Memory of one GPU on pipeline stage `stage` (0-based, < s.pp). Throws std::invalid_argument
// for a stage out of range or a non-positive parallel size.
MemoryEstimate estimate_memory(const TransformerConfig& m, const Training& t, const Strategy& s,
                               int stage);
// The stage with the largest total (the first one on a tie).
int most_loaded_stage(const TransformerConfig& m, const Training& t, const Strategy& s);
// That stage's estimate (and the stage, when `stage` is given): one pass for both.
MemoryEstimate peak_memory(const TransformerConfig& m, const Training& t, const Strategy& s,
                           int* stage = nullptr);

// ---- The pieces, exposed for tests and for the task-graph builder. ----

// Parameters of one layer as held by one GPU, split into the part sharded like dense weights
// (over the data-parallel group dp x cp under ZeRO) and the expert part (sharded over the
// expert-data-parallel group dp x cp / ep).
struct LayerShare {
  double dense = 0;
  double expert = 0;
};
LayerShare layer_share(const TransformerConfig& m, const Strategy& s, int layer);

// CUDA context, cuBLAS/NCCL workspaces and allocator slack: an assumption, not a measurement.
inline constexpr double kRuntimeReserveBytes = 1024.0 * 1024.0 * 1024.0;

// Micro-batches per optimizer step: global_batch / (dp x micro_batch), at least 1.
long microbatches_per_step(const Training& t, const Strategy& s);

// Global (0-based) indices of the transformer layers held by pipeline stage `stage`: contiguous
// blocks for GPipe and 1F1B, s.virtual_stages round-robin chunks for the interleaved schedule.
// Layers that do not divide evenly go one each to the first blocks.
std::vector<int> stage_layers(const TransformerConfig& m, const Strategy& s, int stage);

// Activation bytes one GPU keeps for the backward pass of layer `layer`, for one micro-batch,
// with activations in `precision` (16-bit unless fp32).
double layer_activation_bytes(const TransformerConfig& m, const Strategy& s, int layer,
                              Precision precision = Precision::kBf16);

// How many micro-batches' worth of its layers' activations stage `stage` holds at its peak
// (1F1B: min(pp - stage, m); GPipe: m; interleaved: Megatron's warm-up count of model chunks
// divided by the chunks per stage, i.e. pp (1 + (pp - 1) / (pp v)) on stage 0 when m >= pp).
double in_flight_microbatches(const Training& t, const Strategy& s, int stage);

}  // namespace cirrus::models
