// Serving-plan speed: `cirrus plan` on a serving block over more than 10,000 candidates (every
// catalog instance cirrus can simulate x tp "auto" x 16 max_num_seqs x 16 token budgets), the
// closed-form stage and the re-simulation of the best 8 with 3 seeds each, on the machine's
// cores. The project target is under 30 s on the 2-core development machine (issue 13).
#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "app/job.hpp"
#include "app/serving_plan_run.hpp"
#include "scenarios/scenario.hpp"

namespace {

using namespace cirrus;

constexpr const char* kPlan = R"({
  "cirrus": 1, "name": "serving plan bench",
  "model": {"preset": "llama3-8b", "seq_len": 8192},
  "training": {"global_batch": 1, "precision": "bf16"},
  "cluster": {"instance": "auto", "nodes": 1},
  "serving": {
    "arrivals": {"kind": "poisson", "rate_per_s": 40, "requests": 4000},
    "input_tokens": {"dist": "lognormal", "median": 1000, "sigma": 1.0, "max": 8000},
    "output_tokens": {"dist": "lognormal", "median": 200, "sigma": 0.8, "max": 2000},
    "seed": 1, "router": "least-outstanding",
    "slo": {"ttft_ms": 500, "tpot_ms": 50},
    "plan": {"tp": "auto",
             "max_num_seqs": [16, 32, 48, 64, 96, 128, 160, 192, 224, 256, 320, 384, 448, 512,
                              768, 1024],
             "max_num_batched_tokens": [1024, 2048, 3072, 4096, 5120, 6144, 7168, 8192, 10240,
                                        12288, 14336, 16384, 20480, 24576, 28672, 32768],
             "seeds": 3, "top": 8}
  }
})";

void run_plan(benchmark::State& state, const std::string& scenario) {
  const auto job = app::resolve_search(scenarios::parse_scenario(scenario, "bench.json"), {});
  const int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  double combinations = 0, estimated = 0;
  for (auto _ : state) {
    const app::ServingPlan plan = app::run_serving_plan(*job, threads);
    combinations = plan.search.combinations;
    estimated = static_cast<double>(plan.search.candidates.size());
    benchmark::DoNotOptimize(plan);
  }
  state.counters["combinations"] = combinations;
  state.counters["estimated"] = estimated;
}

// NOLINTNEXTLINE(readability-identifier-naming): Google Benchmark's BM_ names
void BM_ServingPlan(benchmark::State& state) { run_plan(state, kPlan); }
BENCHMARK(BM_ServingPlan)->Unit(benchmark::kSecond)->Iterations(1);

// The same load with disaggregated fleets searched too: every instance x 4 tp (colocated) and 4
// prefill tp x 4 decode tp (disaggregated) x 4 max_num_seqs x 4 budgets, each pool sized by
// models/serving/disagg_estimate.hpp.
std::string disagg_plan() {
  nlohmann::json j = nlohmann::json::parse(kPlan);
  nlohmann::json& plan = j["serving"]["plan"];
  plan["tp"] = {1, 2, 4, 8};
  plan["max_num_seqs"] = {64, 128, 256, 512};
  plan["max_num_batched_tokens"] = {2048, 4096, 8192, 16384};
  plan["disaggregation"] = true;
  return j.dump();
}

// NOLINTNEXTLINE(readability-identifier-naming): Google Benchmark's BM_ names
void BM_ServingPlanDisaggregated(benchmark::State& state) { run_plan(state, disagg_plan()); }
BENCHMARK(BM_ServingPlanDisaggregated)->Unit(benchmark::kSecond)->Iterations(1);

}  // namespace
