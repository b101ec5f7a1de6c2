#pragma once
// A fully pinned parallel strategy and the training set-up it runs.
#include <string>

#include "models/hardware.hpp"
#include "models/storage_tiers.hpp"

namespace cirrus::models {

enum class Schedule { kGpipe, k1F1B, kInterleaved };
enum class Recompute { kNone, kSelective, kFull };
enum class Optimizer { kAdam, kSgd };
enum class AttentionKernel { kFlash, kUnfused };
const char* to_string(Schedule s);
const char* to_string(Recompute r);
const char* to_string(Optimizer o);
const char* to_string(AttentionKernel a);

struct Overlap {
  bool dp = true;  // gradient reduction overlaps the backward pass
  bool tp = false;  // tensor-parallel collectives overlap GEMMs
  bool pp = true;   // pipeline sends overlap compute
};

struct Strategy {
  int tp = 1, pp = 1, dp = 1, cp = 1, ep = 1;
  int micro_batch = 1;
  Schedule schedule = Schedule::k1F1B;
  int virtual_stages = 1;
  bool sequence_parallel = false;
  int zero = 0;
  Recompute recompute = Recompute::kNone;
  Overlap overlap;
  AttentionKernel attention = AttentionKernel::kFlash;
  Offload offload;  // hierarchical storage (models/storage_tiers.hpp); default all on the GPU
  int gpus() const { return tp * pp * dp * cp; }
};

struct Training {
  long global_batch = 0;
  Precision precision = Precision::kBf16;
  Optimizer optimizer = Optimizer::kAdam;
  double tokens = 0;  // whole run; 0 = not given
};

}  // namespace cirrus::models
