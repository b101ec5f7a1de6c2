#pragma once
// Per-GPU memory of one training configuration (DESIGN.md, "Memory"), counted as the frameworks
// allocate it. Two allocation patterns, chosen by the ZeRO stage:
//   - ZeRO 0-2: Megatron-LM / Megatron-Core with Transformer Engine (the distributed optimizer
//     for ZeRO-1, DeepSpeed's ZeRO-1/2 in Megatron-DeepSpeed alike): 16-bit weights, an fp32
//     main-gradient buffer, fp32 master weights and Adam states sharded by the optimizer;
//   - ZeRO-3: PyTorch FSDP as torchtitan (FSDP2) and Composer run it: fp32 sharded parameters
//     that are also the optimizer's, fp32 sharded gradients, Adam states on the shard, 16-bit
//     (or fp8) weights all-gathered per layer.
// Activations follow Korthikanti et al. 2022 (arXiv:2205.05198) re-derived for the kernels in
// use (no dropout masks for models trained without dropout, FlashAttention's statistics,
// Transformer Engine's saved tensors, PyTorch eager's fp32 norm upcasts), for each
// recomputation policy, times the pipeline's in-flight micro-batches. The peak is the largest
// of three moments: the loss (logits and cross-entropy buffers on top of everything saved),
// the backward of one layer (its recomputed activations and gradient buffers), and the
// optimizer step. Every figure is bytes per GPU; infeasibility (total > capacity) is for the
// caller to decide, this model only counts. memory.cpp names the source of every term.
#include <vector>

#include "models/workload/strategy.hpp"
#include "models/workload/transformer.hpp"

namespace cirrus::models {

// The moment of the step a memory estimate describes.
enum class PeakPhase {
  kLoss,           // end of the forward pass: output layer, logits and cross-entropy
  kLayerBackward,  // the backward pass of a layer (its recomputation and gradient buffers)
  kOptimizer,      // the optimizer step (activations freed)
};
const char* to_string(PeakPhase p);

struct MemoryEstimate {  // bytes per GPU
  // The contract's breakdown: the five parts sum to `total`.
  double params = 0, grads = 0, optimizer = 0, activations = 0, buffers = 0, total = 0;
  // Offloaded model states this GPU's process keeps in host memory / on the node's NVMe
  // (strategy.offload); not part of `total`, which is GPU memory.
  double host = 0, nvme = 0;
  // Detail behind the breakdown (each already counted in the part named):
  double fp8_weights = 0;  // params: Transformer Engine's cached fp8 weights and transposes
  double gathered = 0;     // buffers: FSDP's all-gathered weights and all-gather buffers
  double loss = 0;         // activations: final norm, logits and cross-entropy buffers
  double recompute = 0;    // activations: one layer's recomputed tensors (and ring-attention
                           // K/V) during its backward
  double runtime = 0;      // buffers: CUDA context and NCCL, outside PyTorch's allocator
  // training.finetune: params holds `frozen` (the frozen base weights at base_bits); `trainable`
  // is the rest of params + grads + optimizer (all of them under full training).
  double frozen = 0;
  double trainable = 0;
  PeakPhase phase = PeakPhase::kLayerBackward;
  // What PyTorch's caching allocator holds at the peak: torch.cuda's max reserved memory, the
  // figure torchtitan logs as "memory" (everything but the runtime outside the allocator).
  double allocator() const { return total - runtime; }
};

// Memory of one GPU on pipeline stage `stage` (0-based, < s.pp) at its peak moment. Throws
// std::invalid_argument for a stage out of range or a non-positive parallel size.
MemoryEstimate estimate_memory(const TransformerConfig& m, const Training& t, const Strategy& s,
                               int stage);
// The stage with the largest total (the first one on a tie).
int most_loaded_stage(const TransformerConfig& m, const Training& t, const Strategy& s);
// That stage's estimate (and the stage, when `stage` is given): one pass for both.
MemoryEstimate peak_memory(const TransformerConfig& m, const Training& t, const Strategy& s,
                           int* stage = nullptr);

// ---- The pieces, exposed for tests and for the task-graph builder. ----

// Parameters of one layer as held by one GPU, split into the part sharded like dense weights
// (over the ZeRO shard group) and the expert part (sharded over shard group / ep).
struct LayerShare {
  double dense = 0;
  double expert = 0;
};
LayerShare layer_share(const TransformerConfig& m, const Strategy& s, int layer);

// CUDA context and NCCL's communicator buffers, which live outside PyTorch's caching allocator
// (and outside torch.cuda's reserved-memory figure that torchtitan reports): an allowance, not a
// measurement. The CUDA context of a PyTorch process is a few hundred MiB with lazy module
// loading; NCCL allocates per communicator NCCL_BUFFSIZE (4 MiB) per channel and peer for each
// protocol, more with NVLink SHARP, so the sum depends on the NCCL version, the channel count
// and how many communicators a strategy creates. No development record measures it (the
// published peaks exclude it), so the 1 GiB stays an assumption; cuBLAS workspaces are inside
// the caching allocator and below 0.1 GiB.
inline constexpr double kRuntimeReserveBytes = 1024.0 * 1024.0 * 1024.0;

// Micro-batches per optimizer step: global_batch / (dp x micro_batch), at least 1.
long microbatches_per_step(const Training& t, const Strategy& s);

// Global (0-based) indices of the transformer layers held by pipeline stage `stage`: contiguous
// blocks for GPipe and 1F1B, s.virtual_stages round-robin chunks for the interleaved schedule.
// Layers that do not divide evenly go one each to the first blocks.
std::vector<int> stage_layers(const TransformerConfig& m, const Strategy& s, int stage);

// Activations of one transformer layer for one micro-batch on one GPU: `full` is everything the
// layer's backward reads when nothing is recomputed, `kept` what the recomputation policy keeps
// from the forward pass to the backward pass. During the layer's backward, `full - kept` is
// recomputed and briefly held as well.
struct LayerActivations {
  double kept = 0;
  double full = 0;
};
LayerActivations layer_activations(const TransformerConfig& m, const Training& t, const Strategy& s,
                                   int layer);
// `kept` of layer_activations: the bytes held per layer and micro-batch.
double layer_activation_bytes(const TransformerConfig& m, const Training& t, const Strategy& s,
                              int layer);
// The same with default training settings of `precision` (fused kernels).
double layer_activation_bytes(const TransformerConfig& m, const Strategy& s, int layer,
                              Precision precision = Precision::kBf16);

// Bytes of the last stage's final norm, output layer and cross-entropy for one micro-batch at
// the loss's peak (the saved final-norm tensors plus the logits buffers live at that moment).
double loss_activation_bytes(const TransformerConfig& m, const Training& t, const Strategy& s);

// How many micro-batches' worth of its layers' activations stage `stage` holds at its peak
// (1F1B: min(pp - stage, m); GPipe: m; interleaved: Megatron's warm-up count of model chunks
// divided by the chunks per stage, i.e. pp (1 + (pp - 1) / (pp v)) on stage 0 when m >= pp).
double in_flight_microbatches(const Training& t, const Strategy& s, int stage);

}  // namespace cirrus::models
