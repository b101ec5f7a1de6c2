#include "calibrate/attention_kernels.hpp"

#include <cuda_bf16.h>

#include "calibrate/cuda_util.hpp"

namespace cirrus::calibrate {
namespace {

constexpr int kThreads = 256;

// Sum or max over the block; every thread gets the result.
template <bool kMax>
__device__ float block_reduce(float v) {
  __shared__ float partial[kThreads / 32];
  for (int offset = 16; offset > 0; offset /= 2) {
    const float o = __shfl_xor_sync(0xffffffffU, v, offset);
    v = kMax ? fmaxf(v, o) : v + o;
  }
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  __syncthreads();  // partial may still be read by a previous call
  if (lane == 0) partial[warp] = v;
  __syncthreads();
  v = partial[0];
  for (int w = 1; w < kThreads / 32; ++w) v = kMax ? fmaxf(v, partial[w]) : v + partial[w];
  return v;
}

__global__ void softmax_kernel(__nv_bfloat16* s, std::int64_t width, bool causal) {
  __nv_bfloat16* row = s + static_cast<std::int64_t>(blockIdx.x) * width;
  const std::int64_t last = causal ? static_cast<std::int64_t>(blockIdx.x) % width : width - 1;
  float m = -INFINITY;
  for (std::int64_t j = threadIdx.x; j <= last; j += kThreads) m = fmaxf(m, __bfloat162float(row[j]));
  m = block_reduce<true>(m);
  float sum = 0;
  for (std::int64_t j = threadIdx.x; j <= last; j += kThreads) sum += __expf(__bfloat162float(row[j]) - m);
  sum = block_reduce<false>(sum);
  const float inv = 1.0f / sum;
  for (std::int64_t j = threadIdx.x; j < width; j += kThreads) {
    const float p = j <= last ? __expf(__bfloat162float(row[j]) - m) * inv : 0.0f;
    row[j] = __float2bfloat16(p);
  }
}

__global__ void softmax_backward_kernel(const __nv_bfloat16* p, __nv_bfloat16* dp,
                                        std::int64_t width, float scale) {
  const std::int64_t base = static_cast<std::int64_t>(blockIdx.x) * width;
  float dot = 0;
  for (std::int64_t j = threadIdx.x; j < width; j += kThreads) {
    dot += __bfloat162float(p[base + j]) * __bfloat162float(dp[base + j]);
  }
  dot = block_reduce<false>(dot);
  for (std::int64_t j = threadIdx.x; j < width; j += kThreads) {
    const float pj = __bfloat162float(p[base + j]);
    dp[base + j] = __float2bfloat16(pj * (__bfloat162float(dp[base + j]) - dot) * scale);
  }
}

}  // namespace

void softmax_rows_bf16(void* scores, std::int64_t rows, std::int64_t width, bool causal,
                       cudaStream_t stream) {
  softmax_kernel<<<static_cast<unsigned>(rows), kThreads, 0, stream>>>(
      static_cast<__nv_bfloat16*>(scores), width, causal);
  CIRRUS_CUDA_CHECK(cudaGetLastError());
}

void softmax_backward_rows_bf16(const void* p, void* dp, std::int64_t rows, std::int64_t width,
                                float scale, cudaStream_t stream) {
  softmax_backward_kernel<<<static_cast<unsigned>(rows), kThreads, 0, stream>>>(
      static_cast<const __nv_bfloat16*>(p), static_cast<__nv_bfloat16*>(dp), width, scale);
  CIRRUS_CUDA_CHECK(cudaGetLastError());
}

}  // namespace cirrus::calibrate
