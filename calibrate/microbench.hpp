#pragma once
// The microbenchmarks behind `cirrus calibrate` (target cirrus_calibrate_cuda, built only with
// CUDA). This header has no CUDA types, so the CLI includes it as plain C++.
//
// What runs, on device `device` (collectives on all local GPUs):
//   gemm        cuBLASLt GEMMs over the shapes of transformer layers split over TP ranks
//               (forward, data-gradient and weight-gradient shapes of QKV, output projection,
//               FC1, FC2), fp16/bf16/tf32, fp8 e4m3 on compute capability >= 8.9, plus the
//               batched score/context GEMMs of unfused attention;
//   attention   cuDNN fused scaled-dot-product attention forward and backward through the
//               backend (graph) API, checked against an unfused reference; when the fused
//               graph cannot be built or disagrees, the unfused path (cuBLASLt batched GEMMs
//               and softmax kernels) is timed instead and labelled so;
//   memory      copy, y = a x + y, a layer-norm-like two-pass row kernel, a softmax-like row
//               kernel and a fused Adam step, over sizes up to 4 GB moved;
//   copy        cudaMemcpy host-to-device and device-to-host (pinned) and device-to-device;
//   collectives NCCL all-reduce, all-gather, reduce-scatter, all-to-all (grouped send/recv),
//               broadcast and send/recv from 1 KB to 4 GB over all local GPUs in one process
//               (ncclCommInitAll); with one GPU they are skipped and a note says so.
// Timing: CUDA events around batches of launches after warm-up, the median of repeats;
// operands rotate through buffers larger than twice the L2 cache, filled with random non-zero
// values. Every CUDA, cuBLAS, cuDNN and NCCL call is checked; a failure throws
// std::runtime_error naming the file, line, call and the library's error string.
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/compute/profile.hpp"

namespace cirrus::calibrate {

enum class Stage { kGemm, kAttention, kMemory, kCopy, kCollectives };
const char* to_string(Stage s);
// "gemm,memory" -> stages; throws std::invalid_argument naming an unknown one.
std::vector<Stage> parse_stages(const std::string& list);

struct Progress {
  std::string stage;    // what is running: "gemm bf16", "attention", ...
  double fraction = 0;  // of the whole run, 0..1
  double elapsed_s = 0;
  double eta_s = -1;  // < 0 while unknown
};

struct RunOptions {
  bool quick = false;         // a subset: under 2 minutes on one H100 (full: under 10)
  std::vector<Stage> stages;  // empty: all
  int device = 0;
  std::function<void(const Progress&)> on_progress;  // called often; throttle the display
  std::function<void(const std::string&)> on_log;    // one line per finished group
};

// No usable CUDA device (none present, CUDA_VISIBLE_DEVICES empty, no driver).
class NoDeviceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Measures and returns a profile with the device, versions, date, tables, notes and fits.
// Throws NoDeviceError, or std::runtime_error for a failed CUDA/library call.
models::Profile run_microbenchmarks(const RunOptions& options);

}  // namespace cirrus::calibrate
