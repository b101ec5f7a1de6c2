#include "models/workload/pipeline_schedule.hpp"

#include <algorithm>

namespace cirrus::models {

int warmup_steps(Schedule schedule, int pp, int stage, int micro_batches, int virtual_stages) {
  switch (schedule) {
    case Schedule::kGpipe:
      return micro_batches;
    case Schedule::k1F1B:
      return std::min(pp - stage - 1, micro_batches);
    case Schedule::kInterleaved: {
      const int total = micro_batches * virtual_stages;
      if (micro_batches == pp) return total;  // Megatron runs all warm-up in this case
      return std::min((pp - stage - 1) * 2 + (virtual_stages - 1) * pp, total);
    }
  }
  return 0;
}

std::vector<PipelineStep> pipeline_order(Schedule schedule, int pp, int stage, int micro_batches,
                                         int virtual_stages) {
  std::vector<PipelineStep> out;
  const int v = schedule == Schedule::kInterleaved ? std::max(1, virtual_stages) : 1;
  out.reserve(static_cast<std::size_t>(2 * micro_batches * v));
  if (schedule == Schedule::kGpipe) {
    for (int mb = 0; mb < micro_batches; ++mb) out.push_back({mb, 0, false});
    for (int mb = 0; mb < micro_batches; ++mb) out.push_back({mb, 0, true});
    return out;
  }
  if (schedule == Schedule::k1F1B || v == 1) {
    const int warmup = std::min(pp - stage - 1, micro_batches);
    int next_f = 0;
    int next_b = 0;
    for (int i = 0; i < warmup; ++i) out.push_back({next_f++, 0, false});
    while (next_f < micro_batches) {
      out.push_back({next_f++, 0, false});
      out.push_back({next_b++, 0, true});
    }
    while (next_b < micro_batches) out.push_back({next_b++, 0, true});
    return out;
  }
  // Interleaved: virtual micro-batch k maps to chunk (k mod pp*v) / pp and to micro-batch
  // (k / (pp*v)) * pp + k mod pp; backward chunks run in reverse order.
  const int total = micro_batches * v;
  auto forward_of = [&](int k) {
    const int chunk = (k % (pp * v)) / pp;
    const int mb = (k / (pp * v)) * pp + k % pp;
    return PipelineStep{mb, chunk, false};
  };
  auto backward_of = [&](int k) {
    const int chunk = v - 1 - (k % (pp * v)) / pp;
    const int mb = (k / (pp * v)) * pp + k % pp;
    return PipelineStep{mb, chunk, true};
  };
  const int warmup = warmup_steps(schedule, pp, stage, micro_batches, v);
  int next_f = 0;
  int next_b = 0;
  for (int i = 0; i < warmup; ++i) out.push_back(forward_of(next_f++));
  while (next_f < total) {
    out.push_back(forward_of(next_f++));
    out.push_back(backward_of(next_b++));
  }
  while (next_b < total) out.push_back(backward_of(next_b++));
  return out;
}

}  // namespace cirrus::models
