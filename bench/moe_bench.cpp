// MoE step simulation speed: the target is one step of a Mixtral-8x7B-sized model on
// 1,024 GPUs with expert parallelism 8, simulated with the flow model, under 5 s (graph build +
// engine run + breakdown).
#include <benchmark/benchmark.h>

#include "models/step/simulate.hpp"

namespace {

using namespace cirrus::models;

// Mixtral 8x7B on 128 DGX H100 nodes: tp 2 (with sequence parallelism, which Megatron needs for
// MoE under TP), pp 4, dp 128, ep 8; 1,024 sequences of 4,096 tokens (4M tokens per step),
// micro-batch 1, so 8 micro-batches per pipeline; ZeRO-1.
StepInput mixtral_1024() {
  StepInput in;
  in.model = *find_model("mixtral-8x7b");
  in.training.global_batch = 1024;
  in.training.precision = Precision::kBf16;
  in.strategy.tp = 2;
  in.strategy.pp = 4;
  in.strategy.dp = 128;
  in.strategy.ep = 8;
  in.strategy.sequence_parallel = true;
  in.strategy.zero = 1;
  in.strategy.recompute = Recompute::kSelective;
  in.cluster.node = *find_node("dgx-h100");
  in.cluster.nodes = 128;
  return in;
}

void BM_StepMixtral8x7B_1024Gpus_Ep8(benchmark::State& state) {
  const StepInput in = mixtral_1024();
  std::size_t tasks = 0;
  std::size_t events = 0;
  double step = 0;
  for (auto _ : state) {
    const StepResult r = simulate_step(in);
    benchmark::DoNotOptimize(r.step_time_s);
    tasks = r.tasks;
    events = r.events;
    step = r.step_time_s;
  }
  state.counters["tasks"] = static_cast<double>(tasks);
  state.counters["events"] = static_cast<double>(events);
  state.counters["simulated_step_s"] = step;
}

BENCHMARK(BM_StepMixtral8x7B_1024Gpus_Ep8)->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace
