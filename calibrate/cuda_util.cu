#include "calibrate/cuda_util.hpp"

#include <algorithm>
#include <cmath>
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_fp8.h>
#include <string>
#include <utility>
#include <vector>

namespace cirrus::calibrate {
namespace {

// A 32-bit integer hash (Wang/Jenkins style mixing): cheap, decorrelated across indices.
__device__ __forceinline__ std::uint32_t mix(std::uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352dU;
  x ^= x >> 15;
  x *= 0x846ca68bU;
  x ^= x >> 16;
  return x;
}

// A value in +-[0.5, 1) x scale for element i.
__device__ __forceinline__ float value_at(std::size_t i, std::uint32_t seed, float scale,
                                          bool positive) {
  const std::uint32_t h = mix(static_cast<std::uint32_t>(i) ^ mix(seed + static_cast<std::uint32_t>(i >> 32)));
  const float u = 0.5f + 0.5f * static_cast<float>(h >> 8) * (1.0f / 16777216.0f);
  const bool negative = !positive && (h & 1U) != 0;
  return (negative ? -u : u) * scale;
}

template <typename T>
__device__ __forceinline__ T convert(float v);
template <>
__device__ __forceinline__ float convert<float>(float v) {
  return v;
}
template <>
__device__ __forceinline__ __half convert<__half>(float v) {
  return __float2half(v);
}
template <>
__device__ __forceinline__ __nv_bfloat16 convert<__nv_bfloat16>(float v) {
  return __float2bfloat16(v);
}
template <>
__device__ __forceinline__ __nv_fp8_e4m3 convert<__nv_fp8_e4m3>(float v) {
  return __nv_fp8_e4m3(v);
}

template <typename T>
__global__ void fill_kernel(T* out, std::size_t n, std::uint32_t seed, float scale,
                            bool positive) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride) {
    out[i] = convert<T>(value_at(i, seed, scale, positive));
  }
}

template <typename T>
void launch_fill(void* ptr, std::size_t n, std::uint32_t seed, cudaStream_t s, float scale,
                 bool positive) {
  if (n == 0) return;
  constexpr int kThreads = 256;
  const std::size_t blocks = std::min<std::size_t>((n + kThreads - 1) / kThreads, 65535);
  fill_kernel<T><<<static_cast<unsigned>(blocks), kThreads, 0, s>>>(static_cast<T*>(ptr), n, seed,
                                                                   scale, positive);
  CIRRUS_CUDA_CHECK(cudaGetLastError());
}

}  // namespace

void throw_call_error(const char* library, const char* call, const char* file, int line,
                      const std::string& what) {
  throw CudaError(std::string(file) + ":" + std::to_string(line) + ": " + library + " " + call +
                  ": " + what);
}

DeviceBuffer::DeviceBuffer(std::size_t bytes) : size_(bytes) {
  if (bytes > 0) CIRRUS_CUDA_CHECK(cudaMalloc(&ptr_, bytes));
}

DeviceBuffer::~DeviceBuffer() {
  if (ptr_ != nullptr) cudaFree(ptr_);  // no throwing from a destructor
}

DeviceBuffer::DeviceBuffer(DeviceBuffer&& other) noexcept
    : ptr_(std::exchange(other.ptr_, nullptr)), size_(std::exchange(other.size_, 0)) {}

DeviceBuffer& DeviceBuffer::operator=(DeviceBuffer&& other) noexcept {
  if (this != &other) {
    if (ptr_ != nullptr) cudaFree(ptr_);
    ptr_ = std::exchange(other.ptr_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

PinnedBuffer::PinnedBuffer(std::size_t bytes) : size_(bytes) {
  CIRRUS_CUDA_CHECK(cudaMallocHost(&ptr_, bytes));
}

PinnedBuffer::~PinnedBuffer() {
  if (ptr_ != nullptr) cudaFreeHost(ptr_);
}

std::size_t element_bytes(Fill f) {
  switch (f) {
    case Fill::kFloat: return 4;
    case Fill::kHalf:
    case Fill::kBf16: return 2;
    case Fill::kFp8E4M3: return 1;
  }
  return 1;
}

void fill_random(void* ptr, std::size_t elements, Fill type, std::uint32_t seed,
                 cudaStream_t stream, float scale, bool positive) {
  switch (type) {
    case Fill::kFloat: launch_fill<float>(ptr, elements, seed, stream, scale, positive); break;
    case Fill::kHalf: launch_fill<__half>(ptr, elements, seed, stream, scale, positive); break;
    case Fill::kBf16:
      launch_fill<__nv_bfloat16>(ptr, elements, seed, stream, scale, positive);
      break;
    case Fill::kFp8E4M3:
      launch_fill<__nv_fp8_e4m3>(ptr, elements, seed, stream, scale, positive);
      break;
  }
}

int rotation_count(double footprint, double l2_bytes, int max_copies) {
  if (!(footprint > 0)) return 1;
  const double copies = std::ceil(2.0 * l2_bytes / footprint);
  return static_cast<int>(std::clamp(copies, 1.0, static_cast<double>(max_copies)));
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double time_launches(cudaStream_t stream, const std::function<void(int)>& launch,
                     const TimingPolicy& policy) {
  cudaEvent_t start = nullptr, stop = nullptr;
  CIRRUS_CUDA_CHECK(cudaEventCreate(&start));
  CIRRUS_CUDA_CHECK(cudaEventCreate(&stop));
  // Events are released on every path, the throwing ones included.
  struct Events {
    cudaEvent_t a, b;
    ~Events() {
      cudaEventDestroy(a);
      cudaEventDestroy(b);
    }
  } guard{start, stop};

  int i = 0;
  for (int w = 0; w < policy.warmup; ++w) launch(i++);
  auto timed = [&](int launches) {
    CIRRUS_CUDA_CHECK(cudaEventRecord(start, stream));
    for (int j = 0; j < launches; ++j) launch(i++);
    CIRRUS_CUDA_CHECK(cudaEventRecord(stop, stream));
    CIRRUS_CUDA_CHECK(cudaEventSynchronize(stop));
    float ms = 0;
    CIRRUS_CUDA_CHECK(cudaEventElapsedTime(&ms, start, stop));
    return static_cast<double>(ms) * 1e-3 / launches;
  };
  const double probe = std::max(timed(1), 1e-7);
  const int batch = static_cast<int>(
      std::clamp(std::ceil(policy.min_batch_s / probe), 1.0, static_cast<double>(policy.max_batch)));
  std::vector<double> samples;
  for (int r = 0; r < std::max(1, policy.repeats); ++r) samples.push_back(timed(batch));
  return median(samples);
}

}  // namespace cirrus::calibrate
