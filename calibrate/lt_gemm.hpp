#pragma once
// cuBLASLt matrix products in row-major terms, as the transformer's tensors are laid out
// (internal to cirrus_calibrate_cuda). cuBLASLt is column-major: a row-major C = op(A) op(B)
// is the column-major C^T = op(B)^T op(A)^T, so operands swap and keep their transpose flags.
#include <cublasLt.h>
#include <cstddef>
#include <cstdint>
#include <string>

#include "calibrate/cuda_util.hpp"
#include "models/hardware/hardware.hpp"

#define CIRRUS_CUBLAS_CHECK(call)                                                     \
  do {                                                                                \
    const cublasStatus_t cirrus_status_ = (call);                                     \
    if (cirrus_status_ != CUBLAS_STATUS_SUCCESS) {                                    \
      ::cirrus::calibrate::throw_call_error("cuBLASLt", #call, __FILE__, __LINE__,    \
                                            cublasLtGetStatusString(cirrus_status_)); \
    }                                                                                 \
  } while (0)

namespace cirrus::calibrate {

// Operand and compute types for a training precision: fp16/bf16 with fp32 accumulation,
// tf32 on fp32 data, fp8 as e4m3 inputs with a bf16 output (what Transformer Engine runs).
struct LtTypes {
  cudaDataType_t a = CUDA_R_16BF, b = CUDA_R_16BF, c = CUDA_R_16BF;
  cublasComputeType_t compute = CUBLAS_COMPUTE_32F;
  cudaDataType_t scale = CUDA_R_32F;
  Fill a_fill = Fill::kBf16, c_fill = Fill::kBf16;
  std::size_t a_bytes = 2, c_bytes = 2;  // b has a's type
};
LtTypes lt_types(models::Precision p);

// Workspace handed to every product: cuBLAS recommends 32 MiB on Hopper.
inline constexpr std::size_t kLtWorkspaceBytes = 32u << 20;

// One planned product, row-major: C[M x N] = op(A) op(B), where op(A) is M x K (A stored
// K x M when trans_a) and op(B) is K x N (B stored N x K when trans_b), `batch` times with the
// given element strides between matrices. The algorithm is cuBLASLt's first heuristic choice.
class LtMatmul {
 public:
  LtMatmul(cublasLtHandle_t handle, const LtTypes& types, std::int64_t m, std::int64_t n,
           std::int64_t k, bool trans_a, bool trans_b, std::int64_t batch = 1,
           std::int64_t stride_a = 0, std::int64_t stride_b = 0, std::int64_t stride_c = 0);
  ~LtMatmul();
  LtMatmul(const LtMatmul&) = delete;
  LtMatmul& operator=(const LtMatmul&) = delete;

  // False when cuBLASLt has no algorithm for this shape and type (e.g. fp8 on Ampere).
  bool ok() const { return ok_; }
  void run(const void* a, const void* b, void* c, void* workspace, cudaStream_t stream,
           float alpha = 1.0f, float beta = 0.0f) const;

 private:
  cublasLtHandle_t handle_;
  cublasLtMatmulDesc_t desc_ = nullptr;
  cublasLtMatrixLayout_t layout_a_ = nullptr, layout_b_ = nullptr, layout_c_ = nullptr;
  cublasLtMatmulAlgo_t algo_{};
  bool ok_ = false;
};

}  // namespace cirrus::calibrate
