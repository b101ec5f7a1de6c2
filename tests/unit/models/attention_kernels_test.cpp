// Fused attention from the published kernel curves (models/compute/attention_kernels.hpp), by hand.
#include <catch2/catch.hpp>

#include "models/compute/attention_kernels.hpp"
#include "models/hardware/hardware.hpp"

namespace cirrus::models {

TEST_CASE("attention kernel by GPU generation, overridable", "[models][attention]") {
  const GpuSpec a100 = *find_gpu("a100-sxm-80gb");
  const GpuSpec h100 = *find_gpu("h100-sxm");
  CHECK(generation_of(a100) == GpuGeneration::kAmpere);
  CHECK(generation_of(h100) == GpuGeneration::kHopper);
  CHECK(generation_of(*find_gpu("h200-sxm")) == GpuGeneration::kHopper);
  CHECK(resolve_attention(AttentionKernel::kFlash, a100) == AttentionKernel::kFlash2);
  CHECK(resolve_attention(AttentionKernel::kFlash, h100) == AttentionKernel::kCudnn);
  CHECK(resolve_attention(AttentionKernel::kFlash2, h100) == AttentionKernel::kFlash2);
  // FlashAttention-3 is Hopper-only: on an A100 it falls back to FA2 and says so.
  CHECK(resolve_attention(AttentionKernel::kFlash3, a100) == AttentionKernel::kFlash2);
  CHECK_FALSE(attention_fallback(AttentionKernel::kFlash3, a100).empty());
  CHECK(attention_fallback(AttentionKernel::kFlash3, h100).empty());
}

TEST_CASE("FA2 rates reproduce the published forward+backward curves", "[models][attention]") {
  const GpuSpec h100 = *find_gpu("h100-sxm");
  const GpuSpec a100 = *find_gpu("a100-sxm-80gb");
  // Whatever the split, forward F at r_f and backward 2.5 F at r_b must take 3.5 F / r_fb:
  // 1 / r_f + 2.5 / r_b = 3.5 / r_fb.
  auto fwd_bwd = [](const GpuSpec& g, double seq, double d, bool causal) {
    const double f = attention_rate(AttentionKernel::kFlash2, g, seq, d, causal, false).flops_per_s;
    const double b = attention_rate(AttentionKernel::kFlash2, g, seq, d, causal, true).flops_per_s;
    return 3.5 / (1.0 / f + 2.5 / b);
  };
  CHECK(fwd_bwd(h100, 8192, 128, false) == Approx(335e12).epsilon(1e-9));
  CHECK(fwd_bwd(h100, 2048, 128, true) == Approx(265e12).epsilon(1e-9));
  CHECK(fwd_bwd(h100, 512, 64, true) == Approx(141e12).epsilon(1e-9));
  CHECK(fwd_bwd(a100, 16384, 128, true) == Approx(189e12).epsilon(1e-9));
  // The H100 hd128 non-causal forward alone is FA3's figure of FA2: 368 at 4k.
  CHECK(attention_rate(AttentionKernel::kFlash2, h100, 4096, 128, false, false).flops_per_s ==
        Approx(368e12).epsilon(1e-9));
  // Between measured lengths: linear in log2(length). 3k sits 0.585 of the way from 2k to 4k.
  const double mid = fwd_bwd(h100, 3072, 128, false);
  CHECK(mid == Approx(320e12 + 0.5849625 * (326e12 - 320e12)).epsilon(1e-3));
  // Beyond 16k the 16k figure holds, flagged.
  const auto far = attention_rate(AttentionKernel::kFlash2, h100, 65536, 128, true, false);
  CHECK(far.extrapolated);
  CHECK(
      far.flops_per_s ==
      Approx(attention_rate(AttentionKernel::kFlash2, h100, 16384, 128, true, false).flops_per_s));
}

TEST_CASE("FA3 and cuDNN: published forward curve, FA2's ratios elsewhere", "[models][attention]") {
  const GpuSpec h100 = *find_gpu("h100-sxm");
  CHECK(attention_rate(AttentionKernel::kFlash3, h100, 2048, 128, false, false).flops_per_s ==
        Approx(625e12));
  CHECK(attention_rate(AttentionKernel::kCudnn, h100, 16384, 128, false, false).flops_per_s ==
        Approx(595e12));
  // Causal from FA2's causal/non-causal ratio; the reference's two FA3 causal figures (292 at
  // 512, 616 at 16k) are within 6%: 467 x 163/248 = 306.9, 648 x 328/338 = 628.8.
  const double c512 =
      attention_rate(AttentionKernel::kFlash3, h100, 512, 128, true, false).flops_per_s;
  const double c16k =
      attention_rate(AttentionKernel::kFlash3, h100, 16384, 128, true, false).flops_per_s;
  CHECK(c512 == Approx(467e12 * 163 / 248));
  CHECK(c512 == Approx(292e12).epsilon(0.06));
  CHECK(c16k == Approx(616e12).epsilon(0.03));
  // Backward at FA2's backward/forward ratio at the same length: at 8k FA2's forward share of
  // fwd+bwd time is 335 / (3.5 x 370) = 0.25869, so bwd/fwd rate = 2.5 x 0.25869 / 0.74131.
  const double share = 335.0 / (3.5 * 370.0);
  CHECK(attention_rate(AttentionKernel::kFlash3, h100, 8192, 128, false, true).flops_per_s ==
        Approx(646e12 * 2.5 * share / (1 - share)));
}

TEST_CASE("attention on other GPUs: twins share the curve, others scale by peak",
          "[models][attention]") {
  const GpuSpec h100 = *find_gpu("h100-sxm");
  const GpuSpec h200 = *find_gpu("h200-sxm");
  const GpuSpec capped = *find_gpu("h100-96gb-500w");
  const GpuSpec l40s = *find_gpu("l40s");
  auto rate = [](const GpuSpec& g) {
    return attention_rate(AttentionKernel::kFlash2, g, 4096, 128, true, false);
  };
  CHECK(rate(h200).flops_per_s == Approx(rate(h100).flops_per_s));
  CHECK_FALSE(rate(h200).other_gpu);
  CHECK(rate(capped).flops_per_s == Approx(rate(h100).flops_per_s * capped.sustained_clock));
  // L40S (Ada): the A100's curve scaled by 362 / 312.
  const GpuSpec a100 = *find_gpu("a100-sxm-80gb");
  CHECK(rate(l40s).other_gpu);
  CHECK(rate(l40s).flops_per_s == Approx(rate(a100).flops_per_s * 362.0 / 312.0));
}

TEST_CASE("FlashAttention's FLOP convention", "[models][attention]") {
  // 4 x 32 heads x 8192^2 x 128, halved when causal.
  CHECK(fa_forward_flops(32, 8192, 8192, 128, false) == Approx(4.0 * 32 * 8192.0 * 8192 * 128));
  CHECK(fa_forward_flops(32, 8192, 8192, 128, true) == Approx(2.0 * 32 * 8192.0 * 8192 * 128));
}

}  // namespace cirrus::models
