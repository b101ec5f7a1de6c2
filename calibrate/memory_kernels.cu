// The memory-bound kernels a training step runs between its GEMMs (see memory_kernels.hpp).
#include "calibrate/memory_kernels.hpp"

#include <algorithm>
#include <cuda_bf16.h>

#include "calibrate/cuda_util.hpp"

namespace cirrus::calibrate {
namespace {

constexpr int kThreads = 512;
constexpr std::int64_t kRowWidth = 4096;  // layer-norm rows (a hidden size), softmax rows (a seq)

__global__ void copy_kernel(const uint4* __restrict__ x, uint4* __restrict__ y, std::size_t n) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride) {
    y[i] = x[i];
  }
}

// y = a x + y on bf16, eight values per 16-byte vector.
__global__ void axpy_kernel(const uint4* __restrict__ x, uint4* __restrict__ y, float a,
                            std::size_t n) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride) {
    uint4 xv = x[i], yv = y[i];
    auto* xp = reinterpret_cast<__nv_bfloat162*>(&xv);
    auto* yp = reinterpret_cast<__nv_bfloat162*>(&yv);
    const __nv_bfloat162 a2 = __float2bfloat162_rn(a);
#pragma unroll
    for (int j = 0; j < 4; ++j) yp[j] = __hfma2(a2, xp[j], yp[j]);
    y[i] = yv;
  }
}

template <bool kMax>
__device__ float block_reduce(float v) {
  __shared__ float partial[kThreads / 32];
  for (int offset = 16; offset > 0; offset /= 2) {
    const float o = __shfl_xor_sync(0xffffffffU, v, offset);
    v = kMax ? fmaxf(v, o) : v + o;
  }
  __syncthreads();
  if (threadIdx.x % 32 == 0) partial[threadIdx.x / 32] = v;
  __syncthreads();
  v = partial[0];
  for (int w = 1; w < kThreads / 32; ++w) v = kMax ? fmaxf(v, partial[w]) : v + partial[w];
  return v;
}

// Layer norm of one row per block, in two passes over the row: mean and variance, then the
// normalized, scaled output (gamma in fp32, as Megatron-LM keeps it).
__global__ void layernorm_kernel(const __nv_bfloat16* __restrict__ x,
                                 const float* __restrict__ gamma, __nv_bfloat16* __restrict__ y,
                                 std::int64_t width) {
  const std::int64_t base = static_cast<std::int64_t>(blockIdx.x) * width;
  float sum = 0, sq = 0;
  for (std::int64_t j = threadIdx.x; j < width; j += kThreads) {
    const float v = __bfloat162float(x[base + j]);
    sum += v;
    sq += v * v;
  }
  sum = block_reduce<false>(sum);
  sq = block_reduce<false>(sq);
  const float mean = sum / static_cast<float>(width);
  const float inv = rsqrtf(fmaxf(sq / static_cast<float>(width) - mean * mean, 0.0f) + 1e-5f);
  for (std::int64_t j = threadIdx.x; j < width; j += kThreads) {
    y[base + j] = __float2bfloat16((__bfloat162float(x[base + j]) - mean) * inv * gamma[j]);
  }
}

__global__ void softmax_kernel(const __nv_bfloat16* __restrict__ x, __nv_bfloat16* __restrict__ y,
                               std::int64_t width) {
  const std::int64_t base = static_cast<std::int64_t>(blockIdx.x) * width;
  float m = -INFINITY;
  for (std::int64_t j = threadIdx.x; j < width; j += kThreads) {
    m = fmaxf(m, __bfloat162float(x[base + j]));
  }
  m = block_reduce<true>(m);
  float sum = 0;
  for (std::int64_t j = threadIdx.x; j < width; j += kThreads) {
    sum += __expf(__bfloat162float(x[base + j]) - m);
  }
  sum = block_reduce<false>(sum);
  const float inv = 1.0f / sum;
  for (std::int64_t j = threadIdx.x; j < width; j += kThreads) {
    y[base + j] = __float2bfloat16(__expf(__bfloat162float(x[base + j]) - m) * inv);
  }
}

// One fused AdamW step on fp32 parameters, gradients and moments, four values per vector.
__global__ void adam_kernel(float4* __restrict__ p, const float4* __restrict__ g,
                            float4* __restrict__ m, float4* __restrict__ v, std::size_t n,
                            float lr, float beta1, float beta2, float eps, float decay,
                            float correction1, float correction2) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride) {
    float4 pv = p[i], mv = m[i], vv = v[i];
    const float4 gv = g[i];
    float* pp = &pv.x;
    float* mp = &mv.x;
    float* vp = &vv.x;
    const float* gp = &gv.x;
#pragma unroll
    for (int j = 0; j < 4; ++j) {
      mp[j] = beta1 * mp[j] + (1.0f - beta1) * gp[j];
      vp[j] = beta2 * vp[j] + (1.0f - beta2) * gp[j] * gp[j];
      const float update = (mp[j] / correction1) / (sqrtf(vp[j] / correction2) + eps);
      pp[j] -= lr * (update + decay * pp[j]);
    }
    p[i] = pv;
    m[i] = mv;
    v[i] = vv;
  }
}

unsigned grid_for(std::size_t items, int sm_count) {
  const std::size_t wanted = (items + kThreads - 1) / kThreads;
  const std::size_t cap = static_cast<std::size_t>(sm_count) * 16;
  return static_cast<unsigned>(std::max<std::size_t>(1, std::min(wanted, cap)));
}

}  // namespace

MemoryCase make_memory_case(models::MemoryKernel kind, double target_moved) {
  MemoryCase c;
  c.kind = kind;
  const auto t = static_cast<std::size_t>(target_moved);
  switch (kind) {
    case models::MemoryKernel::kCopy:  // 16 B read, 16 B written per vector
      c.items = std::max<std::size_t>(1, t / 32);
      c.allocated = c.items * 32;
      c.moved = static_cast<std::int64_t>(c.items * 32);
      break;
    case models::MemoryKernel::kElementwise:  // x read, y read and written
      c.items = std::max<std::size_t>(1, t / 48);
      c.allocated = c.items * 32;
      c.moved = static_cast<std::int64_t>(c.items * 48);
      break;
    case models::MemoryKernel::kLayerNorm:
    case models::MemoryKernel::kSoftmax:  // a bf16 row read and one written
      c.items = std::max<std::size_t>(1, t / (4 * kRowWidth));
      c.allocated = c.items * 4 * kRowWidth + 4 * kRowWidth;
      c.moved = static_cast<std::int64_t>(c.items * 4 * kRowWidth);
      break;
    case models::MemoryKernel::kAdam:  // p, m, v read and written, g read: 28 B a parameter
      c.items = std::max<std::size_t>(1, t / 112);  // float4 groups
      c.allocated = c.items * 64;
      c.moved = static_cast<std::int64_t>(c.items * 112);
      break;
  }
  return c;
}

void launch_memory_case(const MemoryCase& c, std::byte* base, int sm_count, cudaStream_t stream) {
  const unsigned grid = grid_for(c.items, sm_count);
  switch (c.kind) {
    case models::MemoryKernel::kCopy: {
      auto* x = reinterpret_cast<const uint4*>(base);
      auto* y = reinterpret_cast<uint4*>(base + c.items * 16);
      copy_kernel<<<grid, kThreads, 0, stream>>>(x, y, c.items);
      break;
    }
    case models::MemoryKernel::kElementwise: {
      auto* x = reinterpret_cast<const uint4*>(base);
      auto* y = reinterpret_cast<uint4*>(base + c.items * 16);
      axpy_kernel<<<grid, kThreads, 0, stream>>>(x, y, 0.999f, c.items);
      break;
    }
    case models::MemoryKernel::kLayerNorm: {
      auto* x = reinterpret_cast<const __nv_bfloat16*>(base);
      auto* y = reinterpret_cast<__nv_bfloat16*>(base + c.items * 2 * kRowWidth);
      auto* gamma = reinterpret_cast<const float*>(base + c.items * 4 * kRowWidth);
      layernorm_kernel<<<static_cast<unsigned>(c.items), kThreads, 0, stream>>>(x, gamma, y,
                                                                                   kRowWidth);
      break;
    }
    case models::MemoryKernel::kSoftmax: {
      auto* x = reinterpret_cast<const __nv_bfloat16*>(base);
      auto* y = reinterpret_cast<__nv_bfloat16*>(base + c.items * 2 * kRowWidth);
      softmax_kernel<<<static_cast<unsigned>(c.items), kThreads, 0, stream>>>(x, y, kRowWidth);
      break;
    }
    case models::MemoryKernel::kAdam: {
      auto* p = reinterpret_cast<float4*>(base);
      auto* g = reinterpret_cast<const float4*>(base + c.items * 16);
      auto* m = reinterpret_cast<float4*>(base + c.items * 32);
      auto* v = reinterpret_cast<float4*>(base + c.items * 48);
      adam_kernel<<<grid, kThreads, 0, stream>>>(p, g, m, v, c.items, 1e-4f, 0.9f, 0.95f,
                                                     1e-8f, 0.1f, 0.1f, 0.05f);
      break;
    }
  }
  CIRRUS_CUDA_CHECK(cudaGetLastError());
}

}  // namespace cirrus::calibrate
