#include "calibrate/lt_gemm.hpp"

namespace cirrus::calibrate {

LtTypes lt_types(models::Precision p) {
  LtTypes t;
  switch (p) {
    case models::Precision::kFp16:
      t.a = t.b = t.c = CUDA_R_16F;
      t.a_fill = t.c_fill = Fill::kHalf;
      break;
    case models::Precision::kBf16:
      break;  // the defaults
    case models::Precision::kTf32:
    case models::Precision::kFp32:
      t.a = t.b = t.c = CUDA_R_32F;
      t.compute = p == models::Precision::kTf32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
      t.a_fill = t.c_fill = Fill::kFloat;
      t.a_bytes = t.c_bytes = 4;
      break;
    case models::Precision::kFp8:
      t.a = t.b = CUDA_R_8F_E4M3;
      t.c = CUDA_R_16BF;
      t.a_fill = Fill::kFp8E4M3;
      t.c_fill = Fill::kBf16;
      t.a_bytes = 1;
      t.c_bytes = 2;
      break;
  }
  return t;
}

LtMatmul::LtMatmul(cublasLtHandle_t handle, const LtTypes& types, std::int64_t m, std::int64_t n,
                   std::int64_t k, bool trans_a, bool trans_b, std::int64_t batch,
                   std::int64_t stride_a, std::int64_t stride_b, std::int64_t stride_c)
    : handle_(handle) {
  // Column-major view: C^T (N x M, ld N) = op(B)^T (N x K) op(A)^T (K x M). The first
  // operand is B's buffer: stored N x K row-major when trans_b, i.e. column-major K x N with
  // ld K, which must be transposed; stored K x N row-major otherwise, i.e. column-major N x K
  // with ld N, used as is. Likewise for A.
  const cublasOperation_t op_first = trans_b ? CUBLAS_OP_T : CUBLAS_OP_N;
  const cublasOperation_t op_second = trans_a ? CUBLAS_OP_T : CUBLAS_OP_N;
  const std::uint64_t first_rows = static_cast<std::uint64_t>(trans_b ? k : n);
  const std::uint64_t first_cols = static_cast<std::uint64_t>(trans_b ? n : k);
  const std::uint64_t second_rows = static_cast<std::uint64_t>(trans_a ? m : k);
  const std::uint64_t second_cols = static_cast<std::uint64_t>(trans_a ? k : m);

  CIRRUS_CUBLAS_CHECK(cublasLtMatmulDescCreate(&desc_, types.compute, types.scale));
  CIRRUS_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(desc_, CUBLASLT_MATMUL_DESC_TRANSA, &op_first,
                                                     sizeof op_first));
  CIRRUS_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(desc_, CUBLASLT_MATMUL_DESC_TRANSB, &op_second,
                                                     sizeof op_second));
  CIRRUS_CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&layout_a_, types.b, first_rows, first_cols,
                                                 static_cast<std::int64_t>(first_rows)));
  CIRRUS_CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&layout_b_, types.a, second_rows, second_cols,
                                                 static_cast<std::int64_t>(second_rows)));
  CIRRUS_CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&layout_c_, types.c, static_cast<std::uint64_t>(n),
                                                 static_cast<std::uint64_t>(m), n));
  if (batch > 1) {
    const auto count = static_cast<std::int32_t>(batch);
    const std::int64_t strides[3] = {stride_b, stride_a, stride_c};
    cublasLtMatrixLayout_t layouts[3] = {layout_a_, layout_b_, layout_c_};
    for (int i = 0; i < 3; ++i) {
      CIRRUS_CUBLAS_CHECK(cublasLtMatrixLayoutSetAttribute(
          layouts[i], CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &count, sizeof count));
      CIRRUS_CUBLAS_CHECK(cublasLtMatrixLayoutSetAttribute(
          layouts[i], CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &strides[i], sizeof strides[i]));
    }
  }

  cublasLtMatmulPreference_t pref = nullptr;
  CIRRUS_CUBLAS_CHECK(cublasLtMatmulPreferenceCreate(&pref));
  const std::uint64_t workspace = kLtWorkspaceBytes;
  const cublasStatus_t set = cublasLtMatmulPreferenceSetAttribute(
      pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &workspace, sizeof workspace);
  cublasLtMatmulHeuristicResult_t result{};
  int returned = 0;
  const cublasStatus_t heur =
      set != CUBLAS_STATUS_SUCCESS
          ? set
          : cublasLtMatmulAlgoGetHeuristic(handle_, desc_, layout_a_, layout_b_, layout_c_,
                                           layout_c_, pref, 1, &result, &returned);
  cublasLtMatmulPreferenceDestroy(pref);
  // "Not supported" is an answer (no kernel for this type on this GPU), not a failure.
  if (heur != CUBLAS_STATUS_SUCCESS && heur != CUBLAS_STATUS_NOT_SUPPORTED) {
    CIRRUS_CUBLAS_CHECK(heur);
  }
  if (heur == CUBLAS_STATUS_SUCCESS && returned > 0) {
    algo_ = result.algo;
    ok_ = true;
  }
}

LtMatmul::~LtMatmul() {
  if (layout_c_ != nullptr) cublasLtMatrixLayoutDestroy(layout_c_);
  if (layout_b_ != nullptr) cublasLtMatrixLayoutDestroy(layout_b_);
  if (layout_a_ != nullptr) cublasLtMatrixLayoutDestroy(layout_a_);
  if (desc_ != nullptr) cublasLtMatmulDescDestroy(desc_);
}

void LtMatmul::run(const void* a, const void* b, void* c, void* workspace, cudaStream_t stream,
                   float alpha, float beta) const {
  CIRRUS_CUBLAS_CHECK(cublasLtMatmul(handle_, desc_, &alpha, b, layout_a_, a, layout_b_, &beta, c,
                                     layout_c_, c, layout_c_, &algo_, workspace, kLtWorkspaceBytes,
                                     stream));
}

}  // namespace cirrus::calibrate
