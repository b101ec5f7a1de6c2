// Whole-step simulation speed: the targets are one step of GPT-3 175B on 1,024 GPUs
// under 1 s and of a 1T model on 3,072 GPUs under 2 s (graph build + engine run + breakdown),
// and one step of a Llama-3-405B-sized model on 16,384 GPUs under 10 s and 4 GiB with the flow
// model (topology build + lowering + graph build + engine run + breakdown + link statistics).
// The first two run both network models (Arg 0: flow, 1: analytic).
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include "models/step/simulate.hpp"

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

// Llama-3-405B (126 layers, h 16384, GQA 128/8 heads, SwiGLU 53,248, vocab 128,256, sequence
// 8,192) on 2,048 DGX H100 (16,384 GPUs, three-tier fat-tree at radix 64), tp 8, pp 16, dp 128
// as Meta trained it (Llama 3 paper, Table 4), global batch 2,048 sequences (16M tokens).
// 128 layers instead of 126: cirrus splits layers evenly over stages and 126 is not a multiple
// of 16 (Meta removed one layer each from the first and last stages to balance the embedding
// and the output layer). Full recomputation keeps 1F1B's 16 in-flight micro-batches in memory.
StepInput llama3_405b_16k() {
  StepInput in;
  in.model = *find_model("llama3-405b");
  in.model.layers = 128;
  in.training.global_batch = 2048;
  in.training.precision = Precision::kBf16;
  in.strategy.tp = 8;
  in.strategy.pp = 16;
  in.strategy.dp = 128;
  in.strategy.sequence_parallel = true;
  in.strategy.zero = 1;
  in.strategy.recompute = Recompute::kFull;
  in.cluster.node = *find_node("dgx-h100");
  in.cluster.nodes = 2048;
  return in;
}

double max_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // Linux reports KiB
}

void run_step(benchmark::State& state, const StepInput& in) {
  std::size_t tasks = 0;
  std::size_t events = 0;
  SimulateOptions o;
  o.network = state.range(0) == 1 ? NetworkModel::kAnalytic : NetworkModel::kFlow;
  state.SetLabel(to_string(o.network));
  for (auto _ : state) {
    const StepResult r = simulate_step(in, o);
    benchmark::DoNotOptimize(r.step_time_s);
    tasks = r.tasks;
    events = r.events;
  }
  state.counters["tasks"] = static_cast<double>(tasks);
  state.counters["events"] = static_cast<double>(events);
  state.counters["events_per_s"] = benchmark::Counter(
      static_cast<double>(events), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_StepGpt3_175B_1024Gpus(benchmark::State& state) { run_step(state, gpt3_175b_1024()); }
void BM_Step1T_3072Gpus(benchmark::State& state) { run_step(state, megatron_1t_3072()); }
// Peak resident memory is the process's high-water mark so far: run this one alone
// (--benchmark_filter=BM_StepLlama3_405B_16kGpus) for its own figure.
void BM_StepLlama3_405B_16kGpus(benchmark::State& state) {
  run_step(state, llama3_405b_16k());
  state.counters["max_rss_mib"] = max_rss_mib();
}

BENCHMARK(BM_StepGpt3_175B_1024Gpus)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_Step1T_3072Gpus)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_StepLlama3_405B_16kGpus)->Arg(0)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace
