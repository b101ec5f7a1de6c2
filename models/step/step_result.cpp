#include "models/step/step_result.hpp"

namespace cirrus::models {

const char* summary(Infeasibility k) {
  switch (k) {
    case Infeasibility::kNone:
      return "feasible";
    case Infeasibility::kPrecisionUnsupported:
      return "precision not supported";
    case Infeasibility::kOutOfMemory:
      return "out of memory";
    case Infeasibility::kOutOfHostMemory:
      return "out of host memory (offloaded states)";
    case Infeasibility::kOutOfNvme:
      return "out of NVMe (offloaded states)";
    case Infeasibility::kHostMemoryUnknown:
      return "offload to host: the node's host memory is unknown";
    case Infeasibility::kNoNvme:
      return "offload to NVMe: the node has no NVMe drives known";
    case Infeasibility::kParamsWithoutOptimizer:
      return "parameters offloaded with the optimizer states on the GPU";
    case Infeasibility::kTooLargeToSimulate:
      return "too large to simulate";
  }
  return "unknown";
}

}  // namespace cirrus::models
