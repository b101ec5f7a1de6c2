// Device facts and library versions for the profile, as the libraries report them at run time
// (which can differ from the headers the build saw).
#include <cublasLt.h>
#include <cudnn_graph.h>
#include <fmt/format.h>
#include <nccl.h>
#include <fstream>
#include <sstream>

#include "calibrate/bench.hpp"
#include "calibrate/cuda_util.hpp"

namespace cirrus::calibrate {
namespace {

// 13000 -> "13.0" (CUDA's 1000 x major + 10 x minor).
std::string cuda_version(int v) { return fmt::format("{}.{}", v / 1000, (v % 1000) / 10); }

// major x 10000 + minor x 100 + patch (cuBLAS, cuDNN 9, NCCL >= 2.9).
std::string dotted(long v) { return fmt::format("{}.{}.{}", v / 10000, (v / 100) % 100, v % 100); }

// The kernel driver's version from /proc/driver/nvidia/version ("NVRM version: NVIDIA UNIX
// x86_64 Kernel Module  580.159.04  ..."): the first token shaped like 123.45[.67].
std::string driver_version() {
  std::ifstream in("/proc/driver/nvidia/version");
  std::string line;
  if (!std::getline(in, line)) return "";
  std::istringstream words(line);
  for (std::string w; words >> w;) {
    const auto dot = w.find('.');
    if (dot != std::string::npos && dot > 0 && dot + 1 < w.size() &&
        w.find_first_not_of("0123456789.") == std::string::npos) {
      return w;
    }
  }
  return "";
}

}  // namespace

models::ProfileDevice query_device(int device, int device_count) {
  cudaDeviceProp props{};
  CIRRUS_CUDA_CHECK(cudaGetDeviceProperties(&props, device));
  models::ProfileDevice d;
  d.name = props.name;
  d.gpu = models::gpu_preset_for_device(d.name);
  d.count = device_count;
  d.sm_count = props.multiProcessorCount;
  d.compute_capability = fmt::format("{}.{}", props.major, props.minor);
  int khz = 0;
  CIRRUS_CUDA_CHECK(cudaDeviceGetAttribute(&khz, cudaDevAttrClockRate, device));
  d.sm_clock_mhz = khz / 1000.0;
  CIRRUS_CUDA_CHECK(cudaDeviceGetAttribute(&khz, cudaDevAttrMemoryClockRate, device));
  d.memory_clock_mhz = khz / 1000.0;
  d.memory_bytes = static_cast<double>(props.totalGlobalMem);
  d.l2_bytes = static_cast<double>(props.l2CacheSize);
  return d;
}

models::ProfileVersions query_versions() {
  models::ProfileVersions v;
  v.driver = driver_version();
  int cuda = 0;
  CIRRUS_CUDA_CHECK(cudaDriverGetVersion(&cuda));
  v.cuda_driver = cuda_version(cuda);
  CIRRUS_CUDA_CHECK(cudaRuntimeGetVersion(&cuda));
  v.cuda_runtime = cuda_version(cuda);
  v.cublas = dotted(static_cast<long>(cublasLtGetVersion()));
  v.cudnn = dotted(static_cast<long>(cudnnGetVersion()));
  int nccl = 0;
  if (ncclGetVersion(&nccl) == ncclSuccess) v.nccl = dotted(nccl);
  return v;
}

}  // namespace cirrus::calibrate
