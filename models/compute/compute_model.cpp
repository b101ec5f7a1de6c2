#include "models/compute/compute_model.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <string_view>

#include "models/compute/attention_kernels.hpp"
#include "models/compute/efficiency.hpp"

namespace cirrus::models {

Op gemm(const char* name, double m, double n, double k, double batch, double element_bytes) {
  Op op;
  op.name = name;
  op.kind = OpKind::kGemm;
  op.m = m;
  op.n = n;
  op.k = k;
  op.batch = batch;
  op.flops = 2.0 * m * n * k * batch;
  op.bytes = element_bytes * (m * k + k * n + m * n) * batch;
  return op;
}

Op weight_gemm(const char* name, double m, double n, double k, double batch, double act_bytes,
               double weight_bytes, bool fp8) {
  Op op = gemm(name, m, n, k, batch, act_bytes);
  op.bytes = (act_bytes * (m * k + m * n) + weight_bytes * k * n) * batch;
  op.fp8 = fp8;
  return op;
}

MemoryKernel memory_kind_for(const char* name) {
  const std::string_view n(name);
  if (n == "optimizer") return MemoryKernel::kAdam;
  if (n.find("norm") != std::string_view::npos) return MemoryKernel::kLayerNorm;
  if (n.find("softmax") != std::string_view::npos ||
      n.find("cross_entropy") != std::string_view::npos) {
    return MemoryKernel::kSoftmax;
  }
  if (n.find("copy") != std::string_view::npos || n.find("lookup") != std::string_view::npos) {
    return MemoryKernel::kCopy;
  }
  return MemoryKernel::kElementwise;
}

Op memory_op(const char* name, double bytes) {
  Op op;
  op.name = name;
  op.kind = OpKind::kMemory;
  op.bytes = bytes;
  op.memory_kind = memory_kind_for(name);
  return op;
}

Op flash_attention(const char* name, double flops, double bytes) {
  Op op;
  op.name = name;
  op.kind = OpKind::kFlashAttention;
  op.flops = flops;
  op.bytes = bytes;
  return op;
}

ComputeModel::ComputeModel(const GpuSpec& gpu, Precision precision, const ProfileLookup* profile)
    : gpu_(gpu),
      precision_(precision),
      base_(precision == Precision::kFp8 ? Precision::kBf16 : precision),
      peak_(gpu.peak_for(precision)),
      profile_(profile) {
  gemm_default_ = gpu.achieved_gemm_fraction <= 0;
  gemm_fraction_ = gemm_default_ ? defaults::kGemmFraction : gpu.achieved_gemm_fraction;
  fp8_default_ = gpu.achieved_fp8_gemm_fraction <= 0;
  fp8_fraction_ = fp8_default_ ? defaults::kFp8GemmFraction : gpu.achieved_fp8_gemm_fraction;
  memory_default_ = gpu.achieved_memory_fraction <= 0;
  memory_bw_ =
      gpu.memory_bw * (memory_default_ ? defaults::kMemoryFraction : gpu.achieved_memory_fraction);
}

double ComputeModel::gemm_peak(const Op& op) const {
  const double peak = op.fp8 && gpu_.peak_fp8 > 0 ? gpu_.peak_fp8 : gpu_.peak_for(base_);
  return peak * gpu_.sustained_clock;
}

double ComputeModel::gemm_fraction(const Op& op) const {
  return op.fp8 && gpu_.peak_fp8 > 0 ? fp8_fraction_ : gemm_fraction_;
}

double ComputeModel::gemm_efficiency(const Op& op) const {
  // Wave quantization: output tiles are spread over the SMs in waves; a partial last wave
  // leaves SMs idle. The best-shape figure already has full waves, so this only lowers it.
  double wave = 1.0;
  if (gpu_.sm_count > 0) {
    const double tiles =
        std::ceil(op.m / defaults::kGemmTileM) * std::ceil(op.n / defaults::kGemmTileN) * op.batch;
    const double sms = gpu_.sm_count;
    const double waves = std::ceil(tiles / sms);
    wave = tiles / (waves * sms);
  }
  return gemm_fraction(op) * wave;
}

std::optional<double> ComputeModel::measured_seconds(const Op& op) const {
  switch (op.kind) {
    case OpKind::kGemm: {
      // A backward GEMM takes the rate measured for the forward GEMM it differentiates.
      const bool mapped = op.lookup_m > 0 && op.lookup_n > 0 && op.lookup_k > 0;
      const double m = mapped ? op.lookup_m : op.m;
      const double n = mapped ? op.lookup_n : op.n;
      const double k = mapped ? op.lookup_k : op.k;
      if (op.fp8) {
        if (const auto fp8 = profile_->gemm_rate(Precision::kFp8, m, n, k, op.batch)) {
          if (fp8->flops_per_s > 0) {
            if (fp8->extrapolated) ++extrapolated_;
            return op.flops / fp8->flops_per_s;
          }
        }
      }
      const auto rate = profile_->gemm_rate(base_, m, n, k, op.batch);
      if (!rate || rate->flops_per_s <= 0) return std::nullopt;
      if (rate->extrapolated) ++extrapolated_;
      if (op.fp8 && gpu_.peak_fp8 > 0) {
        // No fp8 measurement: the 16-bit rate of this shape times the ratio of the published
        // fp8 and 16-bit shape-search rates (how much faster fp8 runs where both saturate).
        const double ratio =
            (gpu_.peak_fp8 * fp8_fraction_) / (gpu_.peak_for(base_) * gemm_fraction_);
        ++fp8_scaled_;
        return op.flops / (rate->flops_per_s * ratio);
      }
      return op.flops / rate->flops_per_s;
    }
    case OpKind::kFlashAttention: {
      const auto& a = op.attention;
      if (a.batch <= 0 || a.heads <= 0 || a.seq <= 0 || a.head_dim <= 0) return std::nullopt;
      const auto eff = profile_->attention_efficiency(
          AttentionImpl::kFused, a.backward ? AttentionPass::kBackward : AttentionPass::kForward,
          base_, a.causal, a.batch, a.heads, a.seq, a.head_dim, 1.0);
      if (!eff || *eff <= 0) return std::nullopt;  // with peak 1 the "efficiency" is FLOP/s
      return op.flops / *eff;
    }
    case OpKind::kMemory: {
      if (!profile_->memory_applies()) return std::nullopt;
      const auto bw = profile_->memory_bandwidth(op.memory_kind, op.bytes);
      if (!bw || *bw <= 0) return std::nullopt;
      return op.bytes / *bw;
    }
  }
  return std::nullopt;
}

double ComputeModel::seconds(const Op& op) const {
  if (profile_ != nullptr) {
    // A measured kernel time already holds its launch; the gap between kernels of a step
    // (the host's launch cadence) is not in a microbenchmark, so it is still added.
    if (const auto t = measured_seconds(op)) {
      ++measured_;
      return *t + defaults::kKernelGapSeconds;
    }
  }
  ++fallback_;
  return roofline_seconds(op);
}

double ComputeModel::attention_seconds(const Op& op) const {
  const auto& a = op.attention;
  attention_used_ = true;
  attention_requested_ = a.kernel;
  const AttentionKernel kernel = resolve_attention(a.kernel, gpu_);
  const double heads = std::max(1.0, a.batch * a.heads);
  const AttentionRate rate = attention_rate(kernel, gpu_, std::max(1.0, a.seq),
                                            std::max(1.0, a.head_dim), a.causal, a.backward);
  if (rate.extrapolated) attention_extrapolated_ = true;
  // Shapes not set (a bare flash_attention op): the op's own FLOPs at the kernel's rate.
  const double flops = a.fa_flops > 0 && heads > 0 ? a.fa_flops : op.flops;
  return flops / rate.flops_per_s;
}

double ComputeModel::roofline_seconds(const Op& op) const {
  double compute = 0;
  switch (op.kind) {
    case OpKind::kGemm:
      compute = op.flops / (gemm_peak(op) * gemm_efficiency(op));
      break;
    case OpKind::kFlashAttention:
      compute = attention_seconds(op);
      break;
    case OpKind::kMemory:
      break;
  }
  const double memory = op.bytes / memory_bw_;
  return std::max(compute, memory) + defaults::kKernelGapSeconds;
}

std::vector<std::string> ComputeModel::assumptions() const {
  std::vector<std::string> out;
  if (profile_ != nullptr) {
    out.push_back(
        fmt::format("compute: {} of {} kernels timed from the calibration profile; "
                    "the rest fell outside its measured range and use the "
                    "published figures below",
                    measured_, measured_ + fallback_));
    if (!profile_->memory_applies()) {
      out.push_back(
          "compute: the profile's memory-bound points time an inference engine's "
          "kernels (Vidur: vLLM's RMSNorm, PyTorch's add and activation); a training "
          "step's fused kernels take the published STREAM bandwidth below");
    }
    if (extrapolated_ > 0) {
      out.push_back(
          fmt::format("compute: {} GEMMs larger than any the profile measured hold the "
                      "rate of its nearest largest shape (GEMM efficiency saturates "
                      "with size)",
                      extrapolated_));
    }
    if (fp8_scaled_ > 0) {
      out.push_back(fmt::format(
          "compute: {} fp8 GEMMs take the profile's 16-bit rate for their shape times {:.3f}, the "
          "ratio of the published fp8 and 16-bit shape-search rates (fp8 peak x {:.1f}% / 16-bit "
          "peak x {:.1f}%)",
          fp8_scaled_, (gpu_.peak_fp8 * fp8_fraction_) / (gpu_.peak_for(base_) * gemm_fraction_),
          fp8_fraction_ * 100, gemm_fraction_ * 100));
    }
  }
  out.push_back(fmt::format("compute: {} {} dense peak {:.0f} TFLOP/s from its datasheet ({})",
                            gpu_.display, to_string(precision_), peak_ / 1e12, gpu_.source));
  if (gpu_.sustained_clock < 1.0) {
    out.push_back(
        fmt::format("compute-bound kernels at {:.3f} of the datasheet clock (power "
                    "cap; see the GPU's source)",
                    gpu_.sustained_clock));
  }
  if (gemm_default_) {
    out.push_back(
        fmt::format("GEMM ceiling {:.0f}% of peak is a default: no published shape "
                    "search for {} (calibrate to replace it)",
                    defaults::kGemmFraction * 100, gpu_.display));
  } else {
    out.push_back(
        fmt::format("GEMM ceiling {:.1f}% of peak: a published GEMM measurement "
                    "for this GPU (see its source), not a profile",
                    gemm_fraction_ * 100));
  }
  if (precision_ == Precision::kFp8) {
    out.push_back(fmt::format(
        "fp8: linear-layer GEMMs in fp8 at {:.1f}% of the fp8 peak ({}){}; attention, norms, "
        "activations, the output layer and the router in bf16; fp8 casts (amax, cast, "
        "transpose) as memory-bound kernels",
        fp8_fraction_ * 100,
        fp8_default_ ? "default: lower end of the published fp8 shape searches, 70.9-73.4%"
                     : "published fp8 shape search for this GPU",
        profile_ != nullptr ? "; with a 16-bit profile, its measured rate times the ratio of the "
                              "published fp8 and 16-bit ceilings"
                            : ""));
  }
  out.push_back(fmt::format(
      "memory-bound kernels at {:.0f} GB/s ({})", memory_bw_ / 1e9,
      memory_default_ ? "default 80% of datasheet bandwidth" : "published STREAM copy figure"));
  if (attention_used_) {
    const AttentionKernel kernel = resolve_attention(attention_requested_, gpu_);
    out.push_back(attention_source(kernel, gpu_) +
                  (attention_extrapolated_ ? "; lengths or head dims outside 512-16k / 64-128 "
                                             "hold the nearest measured figure"
                                           : ""));
    const std::string fallback = attention_fallback(attention_requested_, gpu_);
    if (!fallback.empty()) out.push_back(fallback);
  }
  out.push_back(fmt::format("{:.0f} us per kernel launch gap", defaults::kKernelGapSeconds * 1e6));
  return out;
}

}  // namespace cirrus::models
