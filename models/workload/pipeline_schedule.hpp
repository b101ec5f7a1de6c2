#pragma once
// The order in which one pipeline stage runs its forward and backward passes, as Megatron-LM's
// schedules issue them (megatron/core/pipeline_parallel/schedules.py): GPipe (all forwards,
// then all backwards), 1F1B (warm-up, one-forward-one-backward, cool-down) and interleaved
// 1F1B over virtual stages (model chunks).
#include <vector>

#include "models/workload/strategy.hpp"

namespace cirrus::models {

struct PipelineStep {
  int micro_batch = 0;
  int chunk = 0;  // model chunk (virtual stage) on this device, 0 without interleaving
  bool backward = false;
};

// Steps of `stage` (0-based, of `pp`) for `micro_batches` micro-batches. Interleaving needs
// micro_batches % pp == 0 (Megatron's rule; the loader checks it).
std::vector<PipelineStep> pipeline_order(Schedule schedule, int pp, int stage, int micro_batches,
                                         int virtual_stages);

// Number of forward passes a stage runs before its first backward.
int warmup_steps(Schedule schedule, int pp, int stage, int micro_batches, int virtual_stages);

}  // namespace cirrus::models
