#pragma once
// Time of one kernel from its FLOPs, bytes and shape: a roofline whose compute roof is the
// GPU's achieved GEMM fraction times wave-quantization efficiency, and whose memory roof is
// the achieved HBM fraction. Without a calibration profile these come from the defaults in
// efficiency.hpp and the GPU's sourced figures, and the result says so.
#include <string>
#include <vector>

#include "models/hardware.hpp"

namespace cirrus::models {

enum class OpKind : unsigned char { kGemm, kFlashAttention, kMemory };

struct Op {
  const char* name = "";
  OpKind kind = OpKind::kMemory;
  double m = 0, n = 0, k = 0;  // GEMM: (m x k) @ (k x n)
  double batch = 1;            // batched GEMM count
  double flops = 0;            // FLOPs executed
  double bytes = 0;            // HBM bytes moved
};

// Constructors for the three kinds; GEMM FLOPs/bytes follow from the shape.
Op gemm(const char* name, double m, double n, double k, double batch, double element_bytes);
Op memory_op(const char* name, double bytes);
Op flash_attention(const char* name, double flops, double bytes);

class ComputeModel {
 public:
  ComputeModel(const GpuSpec& gpu, Precision precision);

  double seconds(const Op& op) const;
  double gemm_efficiency(const Op& op) const;  // achieved fraction of peak for this shape

  const GpuSpec& gpu() const { return gpu_; }
  double peak() const { return peak_; }
  // Statements of what this model assumed, for the result's "assumptions".
  std::vector<std::string> assumptions() const;

 private:
  GpuSpec gpu_;
  Precision precision_;
  double peak_;
  double gemm_fraction_;
  double memory_bw_;
  bool gemm_default_;
  bool memory_default_;
};

}  // namespace cirrus::models
