#include "models/compute/attention_kernels.hpp"
#include "common/enum_names.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <array>
#include <cmath>
#include <string_view>

namespace cirrus::models {

const char* to_string(AttentionKernel a) { return name_in(kAttentionKernelNames, a); }

namespace {

// Sequence lengths of every published curve (FlashAttention's benchmark: batch x length = 16k
// tokens, hidden 2048).
constexpr std::array<double, 6> kSeq = {512, 1024, 2048, 4096, 8192, 16384};
using Curve = std::array<double, 6>;  // TFLOP/s at kSeq

// FlashAttention-2 forward + backward, FlashAttention README figures (hardware.md).
// A100 80GB SXM4. The non-causal hd128 labels at 512 and 1k are hidden in the figure: they are
// the hd64 figure times the causal hd128/hd64 ratio at the same length (99/88, 133/119).
constexpr Curve kFa2A100Nc64 = {132, 153, 162, 171, 175, 176};
constexpr Curve kFa2A100Nc128 = {132.0 * 99 / 88, 153.0 * 133 / 119, 187, 196, 201, 203};
constexpr Curve kFa2A100C64 = {88, 119, 140, 156, 165, 171};
constexpr Curve kFa2A100C128 = {99, 133, 155, 173, 182, 189};
// H100 80GB SXM5.
constexpr Curve kFa2H100Nc64 = {215, 254, 274, 288, 294, 296};
constexpr Curve kFa2H100Nc128 = {248, 294, 320, 326, 335, 338};
constexpr Curve kFa2H100C64 = {141, 192, 232, 257, 273, 284};
constexpr Curve kFa2H100C128 = {163, 221, 265, 294, 308, 328};
// Forward passes alone on H100 SXM5, FP16, hd128, non-causal: FlashAttention-3 README figure
// (read from a small figure, +/- ~5).
constexpr Curve kFa2H100FwdNc128 = {309, 350, 362, 368, 370, 370};
constexpr Curve kFa3H100FwdNc128 = {467, 565, 625, 638, 646, 648};
constexpr Curve kCudnnH100FwdNc128 = {497, 574, 617, 609, 600, 595};

// FlashAttention-2 over FlashAttention (v1): "~2x" (FA2 paper abstract and README,
// hardware.md).
constexpr double kFa2OverFa1 = 2.0;

constexpr double kA100Peak = 312e12;  // the figures' GPUs (dense 16-bit peaks)
constexpr double kH100Peak = 989e12;

// Linear in log2(length) between measured lengths; the ends hold.
double at(const Curve& c, double seq, bool* clamped) {
  const double x = std::log2(seq);
  const double lo = std::log2(kSeq.front());
  const double hi = std::log2(kSeq.back());
  if (x <= lo || x >= hi) {
    if (x < lo - 1e-9 || x > hi + 1e-9) *clamped = true;
    return x <= lo ? c.front() : c.back();
  }
  const double pos = x - lo;  // the lengths are consecutive powers of two
  const auto i = static_cast<std::size_t>(std::floor(pos));
  const double f = pos - static_cast<double>(i);
  return c[i] + f * (c[i + 1] - c[i]);
}

// Linear in log2(head_dim) between 64 and 128; outside, the nearest.
double by_head_dim(double at64, double at128, double head_dim, bool* clamped) {
  if (head_dim < 64 - 1e-9 || head_dim > 128 + 1e-9) *clamped = true;
  const double f = std::clamp(std::log2(std::max(head_dim, 1.0)) - 6.0, 0.0, 1.0);
  return at64 + f * (at128 - at64);
}

// FA2 forward + backward of the generation's measured GPU (TFLOP/s).
double fa2_fwd_bwd(bool hopper, double seq, double head_dim, bool causal, bool* clamped) {
  const Curve& c64 =
      hopper ? (causal ? kFa2H100C64 : kFa2H100Nc64) : (causal ? kFa2A100C64 : kFa2A100Nc64);
  const Curve& c128 =
      hopper ? (causal ? kFa2H100C128 : kFa2H100Nc128) : (causal ? kFa2A100C128 : kFa2A100Nc128);
  return by_head_dim(at(c64, seq, clamped), at(c128, seq, clamped), head_dim, clamped);
}

// The forward pass's share of FA2's forward + backward time at `seq` (H100 hd128 non-causal,
// the one case with both figures): (F / r_fwd) / (3.5 F / r_fwd+bwd).
double fa2_forward_share(double seq, bool* clamped) {
  return at(kFa2H100Nc128, seq, clamped) /
         ((1.0 + kFaBackwardRatio) * at(kFa2H100FwdNc128, seq, clamped));
}

bool is_prefix(std::string_view id, std::string_view p) { return id.substr(0, p.size()) == p; }

double peak16(const GpuSpec& g) { return g.peak_bf16 > 0 ? g.peak_bf16 : g.peak_fp16; }

}  // namespace

GpuGeneration generation_of(const GpuSpec& gpu) {
  const std::string_view id = gpu.id;
  if (gpu.compute_twin == "h100-sxm" || is_prefix(id, "h100") || is_prefix(id, "h200") ||
      is_prefix(id, "h800") || is_prefix(id, "gh200")) {
    return GpuGeneration::kHopper;
  }
  if (is_prefix(id, "b200") || is_prefix(id, "b300") || is_prefix(id, "gb200") ||
      is_prefix(id, "gb300")) {
    return GpuGeneration::kBlackwell;
  }
  if (is_prefix(id, "mi3")) return GpuGeneration::kCdna3;
  if (is_prefix(id, "v100")) return GpuGeneration::kVolta;
  if (is_prefix(id, "l4")) return GpuGeneration::kAda;  // l4, l40s
  return GpuGeneration::kAmpere;
}

constexpr EnumNames<GpuGeneration, 6> kGpuGenerationNames = {
    {{GpuGeneration::kVolta, "Volta"},
     {GpuGeneration::kAmpere, "Ampere"},
     {GpuGeneration::kAda, "Ada"},
     {GpuGeneration::kHopper, "Hopper"},
     {GpuGeneration::kBlackwell, "Blackwell"},
     {GpuGeneration::kCdna3, "CDNA3"}}};

const char* to_string(GpuGeneration g) { return name_in(kGpuGenerationNames, g); }

namespace {
bool hopper_or_later(const GpuSpec& gpu) {
  const GpuGeneration g = generation_of(gpu);
  return g == GpuGeneration::kHopper || g == GpuGeneration::kBlackwell;
}
}  // namespace

AttentionKernel resolve_attention(AttentionKernel requested, const GpuSpec& gpu) {
  switch (requested) {
    case AttentionKernel::kFlash:
      return hopper_or_later(gpu) ? AttentionKernel::kCudnn : AttentionKernel::kFlash2;
    case AttentionKernel::kFlash3:
      return generation_of(gpu) == GpuGeneration::kHopper ? AttentionKernel::kFlash3
                                                          : AttentionKernel::kFlash2;
    case AttentionKernel::kCudnn:
      // cuDNN's fused flash attention runs from Ampere on; only the Hopper curve is measured:
      // before Hopper it stands in for FA2's figures.
      return hopper_or_later(gpu) ? AttentionKernel::kCudnn : AttentionKernel::kFlash2;
    case AttentionKernel::kFlash1:
    case AttentionKernel::kFlash2:
    case AttentionKernel::kUnfused:
      return requested;
  }
  return requested;
}

std::string attention_fallback(AttentionKernel requested, const GpuSpec& gpu) {
  const AttentionKernel got = resolve_attention(requested, gpu);
  if (requested == AttentionKernel::kFlash || got == requested) return {};
  return fmt::format(
      "strategy.attention {} has no published figure on {} ({}): FlashAttention-2's "
      "figures are used",
      to_string(requested), gpu.display, to_string(generation_of(gpu)));
}

double fa_forward_flops(double batch_heads, double s_q, double s_k, double head_dim, bool causal) {
  return 4.0 * batch_heads * s_q * s_k * head_dim * (causal ? 0.5 : 1.0);
}

AttentionRate attention_rate(AttentionKernel kernel, const GpuSpec& gpu, double seq,
                             double head_dim, bool causal, bool backward) {
  AttentionRate r;
  bool clamped = false;
  const bool hopper = hopper_or_later(gpu);
  const double share = fa2_forward_share(seq, &clamped);
  double tflops = 0;
  if (kernel == AttentionKernel::kFlash3 || kernel == AttentionKernel::kCudnn) {
    const Curve& fwd = kernel == AttentionKernel::kFlash3 ? kFa3H100FwdNc128 : kCudnnH100FwdNc128;
    // FA2's H100 ratio for this head dim and masking against its hd128 non-causal curve.
    const double ratio = fa2_fwd_bwd(true, seq, head_dim, causal, &clamped) /
                         fa2_fwd_bwd(true, seq, 128, false, &clamped);
    const double forward = at(fwd, seq, &clamped) * ratio;
    // Backward at FA2's backward/forward rate ratio: (2.5 / (1 - s)) / (1 / s).
    tflops = backward ? forward * kFaBackwardRatio * share / (1.0 - share) : forward;
  } else {
    const double both = fa2_fwd_bwd(hopper, seq, head_dim, causal, &clamped);
    tflops = backward ? kFaBackwardRatio * both / ((1.0 + kFaBackwardRatio) * (1.0 - share))
                      : both / ((1.0 + kFaBackwardRatio) * share);
    // FlashAttention (v1): FlashAttention-2's paper and README report it ~2x faster.
    if (kernel == AttentionKernel::kFlash1) tflops /= kFa2OverFa1;
  }
  const double ref = hopper ? kH100Peak : kA100Peak;
  const bool measured_die =
      hopper ? (gpu.id == "h100-sxm" || gpu.compute_twin == "h100-sxm") : is_prefix(gpu.id, "a100");
  r.flops_per_s = tflops * 1e12 * peak16(gpu) / ref * gpu.sustained_clock;
  r.extrapolated = clamped;
  r.other_gpu = !measured_die;
  return r;
}

std::string attention_source(AttentionKernel kernel, const GpuSpec& gpu) {
  const bool hopper = hopper_or_later(gpu);
  std::string what;
  switch (kernel) {
    case AttentionKernel::kFlash3:
      what = "FlashAttention-3 (FA3 README forward figure, H100)";
      break;
    case AttentionKernel::kCudnn:
      what = "cuDNN fused attention (FA3 README forward figure, H100)";
      break;
    case AttentionKernel::kFlash1:
      what = fmt::format(
          "FlashAttention (v1): FlashAttention-2's figure ({}) / 2, FA2's reported "
          "speed-up over it (hardware.md)",
          hopper ? "H100" : "A100");
      break;
    default:
      what = fmt::format("FlashAttention-2 (FA2 README forward+backward figure, {})",
                         hopper ? "H100" : "A100");
      break;
  }
  const bool measured_die =
      hopper ? (gpu.id == "h100-sxm" || gpu.compute_twin == "h100-sxm") : is_prefix(gpu.id, "a100");
  return fmt::format(
      "attention: {} by sequence length, head dim and causal mask (hardware.md){}{}", what,
      measured_die ? "" : fmt::format("; no figure for {}: scaled by its 16-bit peak", gpu.display),
      gpu.sustained_clock < 1.0
          ? fmt::format(" at a sustained clock of {:.3f}", gpu.sustained_clock)
          : "");
}

}  // namespace cirrus::models
