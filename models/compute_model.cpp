#include "models/compute_model.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <string_view>

#include "models/efficiency.hpp"

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
    : gpu_(gpu), precision_(precision), peak_(gpu.peak_for(precision)), profile_(profile) {
  // The achieved-fraction figures are 16-bit GEMM shape searches; fp8 runs reuse them against
  // the fp8 peak (published fp8 searches reach 71-73%, a little lower) and say so.
  gemm_default_ = gpu.achieved_gemm_fraction <= 0;
  gemm_fraction_ = gemm_default_ ? defaults::kGemmFraction : gpu.achieved_gemm_fraction;
  memory_default_ = gpu.achieved_memory_fraction <= 0;
  memory_bw_ = gpu.memory_bw *
               (memory_default_ ? defaults::kMemoryFraction : gpu.achieved_memory_fraction);
}

double ComputeModel::gemm_efficiency(const Op& op) const {
  // Wave quantization: output tiles are spread over the SMs in waves; a partial last wave
  // leaves SMs idle. The best-shape figure already has full waves, so this only lowers it.
  double wave = 1.0;
  if (gpu_.sm_count > 0) {
    const double tiles = std::ceil(op.m / defaults::kGemmTileM) *
                         std::ceil(op.n / defaults::kGemmTileN) * op.batch;
    const double sms = gpu_.sm_count;
    const double waves = std::ceil(tiles / sms);
    wave = tiles / (waves * sms);
  }
  return gemm_fraction_ * wave;
}

std::optional<double> ComputeModel::measured_seconds(const Op& op) const {
  switch (op.kind) {
    case OpKind::kGemm: {
      const auto rate = profile_->gemm_flops_per_s(precision_, op.m, op.n, op.k, op.batch);
      if (!rate || *rate <= 0) return std::nullopt;
      return op.flops / *rate;
    }
    case OpKind::kFlashAttention: {
      const auto& a = op.attention;
      if (a.batch <= 0 || a.heads <= 0 || a.seq <= 0 || a.head_dim <= 0) return std::nullopt;
      const auto eff = profile_->attention_efficiency(
          AttentionImpl::kFused, a.backward ? AttentionPass::kBackward : AttentionPass::kForward,
          precision_, a.causal, a.batch, a.heads, a.seq, a.head_dim, 1.0);
      if (!eff || *eff <= 0) return std::nullopt;  // with peak 1 the "efficiency" is FLOP/s
      return op.flops / *eff;
    }
    case OpKind::kMemory: {
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

double ComputeModel::roofline_seconds(const Op& op) const {
  double compute = 0;
  switch (op.kind) {
    case OpKind::kGemm: compute = op.flops / (peak_ * gemm_efficiency(op)); break;
    case OpKind::kFlashAttention:
      compute = op.flops / (peak_ * defaults::kFlashAttentionFraction);
      break;
    case OpKind::kMemory: break;
  }
  const double memory = op.bytes / memory_bw_;
  return std::max(compute, memory) + defaults::kKernelGapSeconds;
}

std::vector<std::string> ComputeModel::assumptions() const {
  std::vector<std::string> out;
  if (profile_ != nullptr) {
    out.push_back(fmt::format("compute: {} of {} kernels timed from the calibration profile; "
                              "the rest fell outside its measured range and use the "
                              "datasheet roofline below",
                              measured_, measured_ + fallback_));
  }
  out.push_back(fmt::format("compute: {} {} dense peak {:.0f} TFLOP/s from its datasheet ({})",
                            gpu_.display, to_string(precision_), peak_ / 1e12, gpu_.source));
  if (gemm_default_) {
    out.push_back(fmt::format("GEMM ceiling {:.0f}% of peak is a default: no published shape "
                              "search for {} (calibrate to replace it)",
                              defaults::kGemmFraction * 100, gpu_.display));
  } else {
    out.push_back(fmt::format("GEMM ceiling {:.1f}% of peak: a published GEMM measurement "
                              "for this GPU (see its source), not a profile",
                              gemm_fraction_ * 100));
  }
  out.push_back(fmt::format("memory-bound kernels at {:.0f} GB/s ({})", memory_bw_ / 1e9,
                            memory_default_ ? "default 80% of datasheet bandwidth"
                                            : "published STREAM copy figure"));
  out.push_back(fmt::format("fused attention at a default {:.0f}% of peak (FlashAttention-2 "
                            "range); {:.0f} us per kernel launch gap",
                            defaults::kFlashAttentionFraction * 100,
                            defaults::kKernelGapSeconds * 1e6));
  return out;
}

}  // namespace cirrus::models
