#pragma once
// CUDA plumbing shared by the microbenchmarks: checked calls, owned buffers, random fills,
// buffer rotation and event timing. Internal to the cirrus_calibrate_cuda target.
#include <cuda_runtime.h>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace cirrus::calibrate {

// A failed CUDA, cuBLAS, cuDNN or NCCL call: "file:line: LIB call: error string".
class CudaError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

[[noreturn]] void throw_call_error(const char* library, const char* call, const char* file,
                                   int line, const std::string& what);

}  // namespace cirrus::calibrate

// Every CUDA runtime call goes through this; kernel launches are followed by
// CIRRUS_CUDA_CHECK(cudaGetLastError()).
#define CIRRUS_CUDA_CHECK(call)                                                  \
  do {                                                                           \
    const cudaError_t cirrus_status_ = (call);                                   \
    if (cirrus_status_ != cudaSuccess) {                                         \
      ::cirrus::calibrate::throw_call_error("CUDA", #call, __FILE__, __LINE__,   \
                                            cudaGetErrorString(cirrus_status_)); \
    }                                                                            \
  } while (0)

namespace cirrus::calibrate {

// Device memory owned by one object; move-only.
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(std::size_t bytes);
  ~DeviceBuffer();
  DeviceBuffer(DeviceBuffer&& other) noexcept;
  DeviceBuffer& operator=(DeviceBuffer&& other) noexcept;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  void* get() const { return ptr_; }
  std::byte* bytes() const { return static_cast<std::byte*>(ptr_); }
  std::size_t size() const { return size_; }

 private:
  void* ptr_ = nullptr;
  std::size_t size_ = 0;
};

// Page-locked host memory (cudaMallocHost), so copies run at PCIe speed; move-only.
class PinnedBuffer {
 public:
  explicit PinnedBuffer(std::size_t bytes);
  ~PinnedBuffer();
  PinnedBuffer(const PinnedBuffer&) = delete;
  PinnedBuffer& operator=(const PinnedBuffer&) = delete;

  void* get() const { return ptr_; }
  std::size_t size() const { return size_; }

 private:
  void* ptr_ = nullptr;
  std::size_t size_ = 0;
};

// Element types the fills know.
enum class Fill { kFloat, kHalf, kBf16, kFp8E4M3 };
std::size_t element_bytes(Fill f);

// Fills `elements` values with a counter hash: magnitudes in [0.5, 1) x scale, random signs
// unless `positive`; never zero (zeros make tensor cores faster than real data).
void fill_random(void* ptr, std::size_t elements, Fill type, std::uint32_t seed,
                 cudaStream_t stream, float scale = 1.0f, bool positive = false);

// How many copies of a working set of `footprint` bytes to rotate through so that one round
// spans at least twice the L2 cache: every launch then reads operands from device memory, as
// a training step's kernels do. At least 1, at most `max_copies`.
int rotation_count(double footprint, double l2_bytes, int max_copies = 128);

// Rounds a byte offset up to 256 (cuBLASLt, cuDNN and vector loads want aligned pointers).
inline std::size_t align256(std::size_t bytes) { return (bytes + 255) / 256 * 256; }

struct TimingPolicy {
  int warmup = 2;             // untimed launches first
  int repeats = 5;            // timed batches; the median is kept
  double min_batch_s = 1e-3;  // launches per batch chosen so a batch lasts this long
  int max_batch = 1000;
};

// Times `launch(i)` on `stream` with CUDA events: warm-up, one probe launch to size the
// batches, then `repeats` batches; returns the median seconds per launch. `i` counts launches
// from 0 so the caller can rotate buffers.
double time_launches(cudaStream_t stream, const std::function<void(int)>& launch,
                     const TimingPolicy& policy);

// Median of a non-empty list.
double median(std::vector<double> values);

}  // namespace cirrus::calibrate
