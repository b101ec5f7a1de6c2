// Whole-step simulation speed: the targets are one step of GPT-3 175B on 1,024 GPUs
// under 1 s and of a 1T model on 3,072 GPUs under 2 s (graph build + engine run + breakdown).
#include <benchmark/benchmark.h>

#include "models/simulate.hpp"

namespace {

using namespace cirrus::models;

StepInput gpt3_175b_1024() {
  StepInput in;
  in.model = *find_model("gpt3-175b");
  in.training.global_batch = 1536;
  in.training.precision = Precision::kBf16;
  in.strategy.tp = 8;
  in.strategy.pp = 8;
  in.strategy.dp = 16;
  in.strategy.schedule = Schedule::kInterleaved;
  in.strategy.virtual_stages = 2;
  in.strategy.sequence_parallel = true;
  in.strategy.zero = 1;
  in.strategy.recompute = Recompute::kSelective;
  in.cluster.node = *find_node("dgx-a100-80gb");
  in.cluster.nodes = 128;
  return in;
}

// The 1T row of Megatron-LM SC'21 Table 1: 128 layers, h 25600, tp 8, pp 64, dp 6.
StepInput megatron_1t_3072() {
  StepInput in;
  in.model.name = "1T";
  in.model.layers = 128;
  in.model.hidden = 25600;
  in.model.heads = 160;
  in.model.kv_heads = 160;
  in.model.ffn_hidden = 102400;
  in.model.vocab = 51200;
  in.model.seq_len = 2048;
  in.training.global_batch = 3072;
  in.training.precision = Precision::kFp16;
  in.strategy.tp = 8;
  in.strategy.pp = 64;
  in.strategy.dp = 6;
  in.strategy.recompute = Recompute::kFull;
  in.cluster.node = *find_node("dgx-a100-80gb");
  in.cluster.nodes = 384;
  return in;
}

void run_step(benchmark::State& state, const StepInput& in) {
  std::size_t tasks = 0;
  std::size_t events = 0;
  for (auto _ : state) {
    const StepResult r = simulate_step(in);
    benchmark::DoNotOptimize(r.step_time_s);
    tasks = r.tasks;
    events = r.events;
  }
  state.counters["tasks"] = static_cast<double>(tasks);
  state.counters["events"] = static_cast<double>(events);
  state.counters["events_per_s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_StepGpt3_175B_1024Gpus(benchmark::State& state) { run_step(state, gpt3_175b_1024()); }
void BM_Step1T_3072Gpus(benchmark::State& state) { run_step(state, megatron_1t_3072()); }

BENCHMARK(BM_StepGpt3_175B_1024Gpus)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_Step1T_3072Gpus)->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace
