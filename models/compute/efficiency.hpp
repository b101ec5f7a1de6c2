#pragma once
// The global efficiency assumptions cirrus uses when no calibration profile says otherwise.
// One set for every GPU and scenario: none is fitted to a published step time. Each carries
// its source; results list the ones they used under "assumptions".
namespace cirrus::models::defaults {

// GEMM ceiling when a GPU has no published shape-search figure: the lower end of the
// measured best-shape fractions in hardware.md (H100 80.3%, A100 86.9%, A100 PCIe 81.1%).
inline constexpr double kGemmFraction = 0.80;
// Memory-bound kernels when a GPU has no published STREAM figure: A100 80GB copy
// 1.61/2.04, H100 2.90/3.35, H200 4.01/4.8 TB/s (Azure) all sit at 0.79-0.87.
inline constexpr double kMemoryFraction = 0.80;
// fp8 GEMM ceiling when a GPU has no published fp8 shape search: the lower end of the
// measured fp8 best-shape fractions in hardware.md (H100 70.9%, H200 73.4%, B200 76.3%).
inline constexpr double kFp8GemmFraction = 0.709;
// Fused attention is timed from the published kernel curves (models/compute/attention_kernels.hpp).
// FlashAttention-2's backward pass executes 2.5x the forward FLOPs (it recomputes the
// scores): the FA2 paper's own FLOP accounting for fwd+bwd = 3.5x fwd.
inline constexpr double kFlashBackwardFlopsRatio = 2.5;
// Tile used for wave quantization: cuBLAS's common 128 x 128 CTA tile on Ampere/Hopper.
inline constexpr double kGemmTileM = 128;
inline constexpr double kGemmTileN = 128;
// GPU-side gap between dependent kernels (launch + tail), about 2 us on A100/H100 in
// Nsight traces of Megatron-LM; applied once per kernel.
inline constexpr double kKernelGapSeconds = 2.0e-6;

}  // namespace cirrus::models::defaults
