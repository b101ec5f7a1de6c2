// Planner speed: analytic evaluations per second on one core, and the default search of the
// issue — six instance types, node counts from 8 to 1,024, every strategy field open (over a
// million raw combinations) — refinement included, on the machine's cores.
#include <benchmark/benchmark.h>
#include <thread>

#include "models/step/analytic_step.hpp"
#include "plan/planner.hpp"
#include "plan/search_space.hpp"
#include "scenarios/scenario.hpp"

namespace {

using namespace cirrus;

const char* kSearch = R"({
  "cirrus": 1, "name": "default search",
  "model": {"preset": "llama3-70b"},
  "training": {"global_batch": 1024, "tokens": 1e12},
  "cluster": {"node": "dgx-h100", "nodes": [8, 16, 32, 64, 128, 256, 512, 1024]},
  "strategy": {"tp": "auto", "pp": "auto", "cp": "auto", "micro_batch": "auto",
               "schedule": "auto", "virtual_stages": "auto", "sequence_parallel": "auto",
               "zero": "auto", "recompute": "auto"},
  "objective": {"minimize": "cost"}
})";

std::vector<plan::InstanceOption> six_instances() {
  std::vector<plan::InstanceOption> out;
  const char* nodes[] = {"aws-p5",         "aws-p4de",         "gcp-a3-megagpu",
                         "gcp-a3-highgpu", "azure-nd-h100-v5", "azure-nd-a100-80gb-v4"};
  double price = 30;
  for (const char* n : nodes) {
    plan::InstanceOption o;
    o.id = n;
    o.node = *models::find_node(n);
    o.usd_per_hour = price;
    price += 10;
    out.push_back(o);
  }
  return out;
}

void BM_AnalyticEvaluation(benchmark::State& state) {
  models::StepInput in;
  in.model = *models::find_model("llama3-70b");
  in.training.global_batch = 1024;
  in.cluster.node = *models::find_node("dgx-h100");
  in.cluster.nodes = 64;
  in.strategy.tp = 8;
  in.strategy.pp = 4;
  in.strategy.dp = 16;
  in.strategy.sequence_parallel = true;
  in.strategy.recompute = models::Recompute::kSelective;
  in.strategy.zero = 1;
  int zero = 0;
  for (auto _ : state) {
    in.strategy.zero = zero++ % 3;  // defeat any caching between iterations
    benchmark::DoNotOptimize(models::analytic_step(in).step_time_s);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AnalyticEvaluation);

void BM_DefaultSearch(benchmark::State& state) {
  const auto s = scenarios::parse_scenario(kSearch, "default-search.json");
  const auto space = plan::build_search_space(s, six_instances());
  plan::PlanOptions opt;
  opt.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::size_t evaluated = 0;
  for (auto _ : state) {
    const auto r = plan::run_plan(s, space, opt);
    evaluated = r.evaluated;
    benchmark::DoNotOptimize(r.best);
  }
  state.counters["raw_combinations"] = space.raw_combinations();
  state.counters["evaluated"] = static_cast<double>(evaluated);
}
BENCHMARK(BM_DefaultSearch)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();

}  // namespace
