#pragma once
// Time of one kernel from its FLOPs, bytes and shape.
//
// GEMMs: a calibration profile's measured rate for the shape (backward GEMMs looked up by the
// forward GEMM they differentiate: dgrad and wgrad are that GEMM's (M, N, K) permuted, and a
// profile such as Vidur's measures forward shapes); without one, a roofline whose compute roof
// is the GPU's published shape-search ceiling times wave-quantization efficiency. fp8 GEMMs
// (Op::fp8) run against the fp8 peak at the published fp8 shape-search ceiling; with a profile
// of 16-bit GEMMs only, the measured 16-bit rate times the ratio of the two published ceilings'
// rates (fp8 peak x fp8 ceiling / 16-bit peak x 16-bit ceiling).
// Fused attention: a profile's measured rate, else the published kernel curves by length,
// head dim and mask (models/compute/attention_kernels.hpp).
// Memory-bound kernels: a profile's bandwidth for their kind and size, else the GPU's published
// STREAM fraction of its HBM bandwidth.
// Every compute-bound rate scales by the GPU's sustained clock (power-capped parts).
//
// A kernel a profile does not cover falls back as above and is counted: calibrated() is true
// only when no kernel fell back.
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "models/compute/attention_kernel.hpp"
#include "models/compute/profile.hpp"
#include "models/hardware/hardware.hpp"

namespace cirrus::models {

enum class OpKind : unsigned char { kGemm, kFlashAttention, kMemory };

struct Op {
  const char* name = "";
  OpKind kind = OpKind::kMemory;
  double m = 0, n = 0, k = 0;  // GEMM: (m x k) @ (k x n)
  double batch = 1;            // batched GEMM count
  double flops = 0;            // FLOPs executed
  double bytes = 0;            // HBM bytes moved
  // GEMM only: the forward GEMM (m, n, k) whose measured rate this one takes (set on backward
  // GEMMs; 0: the op's own shape), and whether its inputs are fp8.
  double lookup_m = 0, lookup_n = 0, lookup_k = 0;
  bool fp8 = false;
  // Fused attention only: the shape a profile is looked up by ([batch, heads, seq, head_dim],
  // causal) and the pass. Zero sizes: unknown, so a profile cannot answer.
  struct Attention {
    double batch = 0, heads = 0, seq = 0, head_dim = 0;
    bool causal = true;
    bool backward = false;
    // The kernel asked for (resolved on the GPU by the compute model) and the pass's FLOPs in
    // FlashAttention's convention, which the published kernel curves use.
    AttentionKernel kernel = AttentionKernel::kFlash;
    double fa_flops = 0;
  } attention;
  // Memory-bound kernels: which measured curve stands for them (from the name, see memory_op).
  MemoryKernel memory_kind = MemoryKernel::kElementwise;
};

// Constructors for the three kinds; GEMM FLOPs/bytes follow from the shape. memory_op picks
// the profile curve from the kernel's name: "optimizer" is an Adam step, names with "norm" a
// layer-norm pass, "softmax" or "cross_entropy" a softmax pass, "copy"/"lookup" a copy, and
// everything else (dropout, bias-add, activations) an elementwise pass.
Op gemm(const char* name, double m, double n, double k, double batch, double element_bytes);
// A GEMM of activations (m x k, output m x n, `act_bytes` each) by a stored weight (k x n,
// `weight_bytes` each: a quantized weight is read at its own size); fp8: on the fp8 tensor cores.
Op weight_gemm(const char* name, double m, double n, double k, double batch, double act_bytes,
               double weight_bytes, bool fp8);
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
  double gemm_efficiency(const Op& op) const;  // datasheet path: fraction of the op's peak

  const GpuSpec& gpu() const { return gpu_; }
  double peak() const { return peak_; }  // dense peak of the training precision (for MFU)
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
  double gemm_peak(const Op& op) const;      // sustained peak of the op's input type
  double gemm_fraction(const Op& op) const;  // published shape-search ceiling for it
  double attention_seconds(const Op& op) const;

  GpuSpec gpu_;
  Precision precision_;
  Precision base_;  // precision of everything that is not an fp8 GEMM
  double peak_;
  double gemm_fraction_;
  double fp8_fraction_;
  bool fp8_default_;
  double memory_bw_;
  bool gemm_default_;
  bool memory_default_;
  const ProfileLookup* profile_ = nullptr;
  mutable std::size_t measured_ = 0;
  mutable std::size_t fallback_ = 0;
  mutable std::size_t extrapolated_ = 0;  // GEMMs held at the profile's largest shape
  mutable std::size_t fp8_scaled_ = 0;    // fp8 GEMMs from a 16-bit measurement
  mutable bool attention_used_ = false;
  mutable AttentionKernel attention_requested_ = AttentionKernel::kFlash;
  mutable bool attention_extrapolated_ = false;
};

}  // namespace cirrus::models
