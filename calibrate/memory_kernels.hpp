#pragma once
// The memory-bound kernels of the calibration (internal to cirrus_calibrate_cuda), kept apart
// from the host code so that nvcc compiles no fmt: copy, y = a x + y (bf16), a layer-norm-like
// two-pass row kernel and a softmax-like row kernel (bf16 rows of 4096), a fused AdamW step
// (fp32 parameters, gradients and moments).
#include <cuda_runtime.h>
#include <cstddef>
#include <cstdint>

#include "models/compute/profile.hpp"

namespace cirrus::calibrate {

// One kernel at one size: its working set and the bytes it moves once (reads plus writes).
struct MemoryCase {
  models::MemoryKernel kind = models::MemoryKernel::kCopy;
  std::size_t items = 0;      // 16-byte vectors, rows or groups of four parameters
  std::size_t allocated = 0;  // bytes of its working set
  std::int64_t moved = 0;     // bytes read and written once
};

// The case closest to (at most) `target_moved` bytes moved.
MemoryCase make_memory_case(models::MemoryKernel kind, double target_moved);

// Launches the case on a working set of `allocated` bytes at `base` (256-byte aligned).
void launch_memory_case(const MemoryCase& c, std::byte* base, int sm_count, cudaStream_t stream);

}  // namespace cirrus::calibrate
