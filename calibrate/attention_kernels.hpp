#pragma once
// The row kernels of unfused attention (internal to cirrus_calibrate_cuda): what Megatron-LM's
// fused scale-mask-softmax does between the two batched GEMMs, in bf16.
#include <cuda_runtime.h>
#include <cstdint>

namespace cirrus::calibrate {

// Softmax over each of `rows` rows of `width` bf16 scores, in place. With `causal`, row r is
// query r % width of its matrix and columns past it are masked (probability 0).
void softmax_rows_bf16(void* scores, std::int64_t rows, std::int64_t width, bool causal,
                       cudaStream_t stream);

// The softmax backward, in place in dp: dS = P * (dP - sum_j P dP) * scale, row by row.
void softmax_backward_rows_bf16(const void* p, void* dp, std::int64_t rows, std::int64_t width,
                                float scale, cudaStream_t stream);

}  // namespace cirrus::calibrate
