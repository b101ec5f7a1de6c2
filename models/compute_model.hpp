#pragma once
// Time of one kernel from its FLOPs, bytes and shape: a roofline whose compute roof is the
// GPU's achieved GEMM fraction times wave-quantization efficiency, and whose memory roof is
// the achieved HBM fraction. Without a calibration profile these come from the defaults in
// efficiency.hpp and the GPU's sourced figures, and the result says so.
//
// With a calibration profile (models/profile.hpp) a kernel whose shape the profile covers
// takes the measured rate instead: GEMMs their interpolated FLOP/s, fused attention its
// measured FLOP/s for the pass, memory-bound kernels the bandwidth measured for their kind at
// their size. A kernel outside the measured range falls back to the roofline above, and the
// model counts it: calibrated() is true only when no kernel fell back.
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "models/hardware.hpp"
#include "models/profile.hpp"

namespace cirrus::models {

enum class OpKind : unsigned char { kGemm, kFlashAttention, kMemory };

struct Op {
  const char* name = "";
  OpKind kind = OpKind::kMemory;
  double m = 0, n = 0, k = 0;  // GEMM: (m x k) @ (k x n)
  double batch = 1;            // batched GEMM count
  double flops = 0;            // FLOPs executed
  double bytes = 0;            // HBM bytes moved
  // Fused attention only: the shape a profile is looked up by ([batch, heads, seq, head_dim],
  // causal) and the pass. Zero sizes: unknown, so a profile cannot answer.
  struct Attention {
    double batch = 0, heads = 0, seq = 0, head_dim = 0;
    bool causal = true;
    bool backward = false;
  } attention;
  // Memory-bound kernels: which measured curve stands for them (from the name, see memory_op).
  MemoryKernel memory_kind = MemoryKernel::kElementwise;
};

// Constructors for the three kinds; GEMM FLOPs/bytes follow from the shape. memory_op picks
// the profile curve from the kernel's name: "optimizer" is an Adam step, names with "norm" a
// layer-norm pass, "softmax" or "cross_entropy" a softmax pass, "copy"/"lookup" a copy, and
// everything else (dropout, bias-add, activations) an elementwise pass.
Op gemm(const char* name, double m, double n, double k, double batch, double element_bytes);
Op memory_op(const char* name, double bytes);
Op flash_attention(const char* name, double flops, double bytes);
MemoryKernel memory_kind_for(const char* name);

class ComputeModel {
 public:
  // `profile` may be null (datasheet figures only); it must outlive the model.
  ComputeModel(const GpuSpec& gpu, Precision precision, const ProfileLookup* profile = nullptr);

  // Not safe to call from two threads on one model: it counts lookups (one model per
  // simulation, as every caller does).
  double seconds(const Op& op) const;
  double gemm_efficiency(const Op& op) const;  // achieved fraction of peak for this shape

  const GpuSpec& gpu() const { return gpu_; }
  double peak() const { return peak_; }
  // Statements of what this model assumed, for the result's "assumptions".
  std::vector<std::string> assumptions() const;

  bool has_profile() const { return profile_ != nullptr; }
  // Kernels timed so far from the profile, and from the roofline because the profile did not
  // cover them (or there is none).
  std::size_t measured_kernels() const { return measured_; }
  std::size_t fallback_kernels() const { return fallback_; }
  bool calibrated() const { return profile_ != nullptr && fallback_ == 0 && measured_ > 0; }

 private:
  std::optional<double> measured_seconds(const Op& op) const;
  double roofline_seconds(const Op& op) const;

  GpuSpec gpu_;
  Precision precision_;
  double peak_;
  double gemm_fraction_;
  double memory_bw_;
  bool gemm_default_;
  bool memory_default_;
  const ProfileLookup* profile_ = nullptr;
  mutable std::size_t measured_ = 0;
  mutable std::size_t fallback_ = 0;
};

}  // namespace cirrus::models
