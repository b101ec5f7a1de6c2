#pragma once
// Fused attention kernels: which one a GPU runs and what it achieves, by sequence length, head
// dimension, causal masking and pass, from the published kernel benchmarks in
// docs/reference/hardware.md (FlashAttention-2's README figures on A100 and H100, forward
// and backward together; FlashAttention-3's README figure of forward passes on H100 with FA3,
// cuDNN and FA2). A calibration profile that measured the kernel replaces these figures.
//
// Rates are in FlashAttention's own FLOP convention, the one its benchmarks report: forward
// 4 x batch x heads x s_q x s_k x head_dim, halved when causal; backward 2.5x the forward.
//
// What the figures do not give is derived, and each derivation is stated where it is made:
//   - FA2's forward/backward split: the H100 hd128 non-causal curves give both the forward
//     alone (FA3 figure) and forward + backward (FA2 figure); the forward's share of the
//     fwd+bwd time at each length is taken for every FA2 curve.
//   - FA3 and cuDNN backward passes: the forward rate times FA2's backward/forward rate ratio
//     at the same length (FA3's paper reports backward speedups over FA2 of the same order as
//     its forward ones).
//   - FA3 and cuDNN causal and head-dim-64 rates: their hd128 non-causal forward times FA2's
//     causal/non-causal (resp. hd64/hd128) ratio on H100 at the same length; checked against
//     the two FA3 causal figures the reference gives (292 at 512, 616 at 16k TFLOP/s).
//   - Lengths outside 512-16k tokens hold the nearest measured length; head dims outside
//     64-128 hold the nearest (both flagged as extrapolated).
//   - GPUs other than the A100 and H100: the measured GPU of their generation scaled by the
//     ratio of 16-bit peaks times the GPU's sustained clock (Ampere/Ada/Volta from the A100,
//     Hopper and newer from the H100; flagged when the GPU is not of the measured die).
#include <string>

#include "models/compute/attention_kernel.hpp"
#include "models/hardware/hardware.hpp"

namespace cirrus::models {

enum class GpuGeneration { kVolta, kAmpere, kAda, kHopper, kBlackwell, kCdna3 };
GpuGeneration generation_of(const GpuSpec& gpu);
const char* to_string(GpuGeneration g);

// The kernel `requested` resolves to on `gpu`: kFlash is FlashAttention-2 before Hopper and
// cuDNN's fused attention (what Transformer Engine and Megatron-Core run) from Hopper on;
// FlashAttention (v1, kFlash1) runs at FlashAttention-2's curve / 2 (FA2's reported speed-up);
// FlashAttention-3 runs on Hopper only and falls back to FlashAttention-2 elsewhere (said by
// attention_fallback). kUnfused stays unfused.
AttentionKernel resolve_attention(AttentionKernel requested, const GpuSpec& gpu);
// Empty when `requested` runs as asked on `gpu`; otherwise why it does not.
std::string attention_fallback(AttentionKernel requested, const GpuSpec& gpu);

struct AttentionRate {
  double flops_per_s = 0;     // in FlashAttention's convention (see above)
  bool extrapolated = false;  // length or head dim outside the measured range
  bool other_gpu = false;     // scaled from the measured GPU of its generation
};

// Achieved rate of one pass of fused kernel `kernel` (resolved: not kFlash, not kUnfused) on
// `gpu` for sequence length `seq` (the kernel's query and key length) and head dim `head_dim`.
AttentionRate attention_rate(AttentionKernel kernel, const GpuSpec& gpu, double seq,
                             double head_dim, bool causal, bool backward);

// FlashAttention's FLOP count of one forward pass: 4 x batch_heads x s_q x s_k x head_dim,
// halved when causal; the backward pass is kFaBackwardRatio times it.
double fa_forward_flops(double batch_heads, double s_q, double s_k, double head_dim, bool causal);
inline constexpr double kFaBackwardRatio = 2.5;

// One line naming the figures a kernel's rates come from, for a result's assumptions.
std::string attention_source(AttentionKernel kernel, const GpuSpec& gpu);

}  // namespace cirrus::models
