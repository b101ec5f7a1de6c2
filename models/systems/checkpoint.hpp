#pragma once
// Bytes of one training checkpoint: what a restart after a spot interruption reloads and what
// the cost model prices writing. One place, so simulate, plan, price, check and report agree.
#include "models/hardware/precision.hpp"
#include "models/workload/strategy.hpp"
#include "models/workload/transformer.hpp"

namespace cirrus::models {

// The weights in the training precision plus the optimizer's states, the ZeRO paper's
// accounting: mixed-precision Adam keeps fp32 master weights, momentum and variance (12 bytes a
// parameter), fp32 Adam its two moments (8); SGD with momentum 8 / 4.
inline double checkpoint_bytes(const TransformerConfig& model, const Training& training) {
  const bool fp32 = training.precision == Precision::kFp32;
  const bool adam = training.optimizer == Optimizer::kAdam;
  const double optimizer = adam ? (fp32 ? 8.0 : 12.0) : (fp32 ? 4.0 : 8.0);
  return model.parameters() * (param_bytes(training.precision) + optimizer);
}

}  // namespace cirrus::models
