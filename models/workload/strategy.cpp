#include "models/workload/strategy.hpp"

namespace cirrus::models {

const char* to_string(Schedule s) {
  switch (s) {
    case Schedule::kGpipe: return "gpipe";
    case Schedule::k1F1B: return "1f1b";
    case Schedule::kInterleaved: return "interleaved";
  }
  return "?";
}

const char* to_string(Recompute r) {
  switch (r) {
    case Recompute::kNone: return "none";
    case Recompute::kSelective: return "selective";
    case Recompute::kFull: return "full";
    case Recompute::kSelectiveOp: return "selective-op";
    case Recompute::kSelectiveLayer: return "selective-layer";
  }
  return "?";
}

const char* to_string(Optimizer o) { return o == Optimizer::kAdam ? "adam" : "sgd"; }

const char* to_string(Kernels k) { return k == Kernels::kFused ? "fused" : "eager"; }

}  // namespace cirrus::models
