// The Chrome trace of one simulated step: valid trace-event JSON (required keys per phase,
// integer pid/tid, non-negative durations, every flow id started and finished once, named
// processes and threads) and a 1F1B schedule visible per stage as warm-up, steady state and
// cool-down.
#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "models/step/simulate.hpp"
#include "reports/trace_event.hpp"
#include "scenarios/scenario.hpp"
#include "scenarios/step_input.hpp"

namespace {

// pp 4 on one 8-GPU node (tp 2), global batch 8 of micro-batch 1 with dp 1: 8 micro-batches.
cirrus::models::StepInput pp4_1f1b() {
  const std::string text = R"({
    "cirrus": 1, "name": "pp4 1f1b",
    "model": {"preset": "llama2-7b", "layers": 8},
    "training": {"global_batch": 8},
    "cluster": {"node": "dgx-a100-80gb", "nodes": 1},
    "strategy": {"tp": 2, "pp": 4, "dp": 1, "micro_batch": 1, "schedule": "1f1b"}
  })";
  return cirrus::scenarios::pinned_input(cirrus::scenarios::parse_scenario(text, "pp4.json"));
}

nlohmann::json trace_of(const cirrus::models::StepInput& in, cirrus::reports::TraceDetail detail) {
  const auto sim = cirrus::models::simulate_step_detailed(in);
  REQUIRE(sim.result.feasible);
  return nlohmann::json::parse(cirrus::reports::render_trace(sim.graph, sim.run, "test", detail));
}

// Both detail levels, as a Catch generator: the default (passes) and kernels.
cirrus::reports::TraceDetail any_detail() {
  const auto detail =
      GENERATE(cirrus::reports::TraceDetail::kPasses, cirrus::reports::TraceDetail::kKernels);
  return detail;
}

}  // namespace

TEST_CASE("trace is valid trace-event JSON", "[reports][trace]") {
  const auto detail = any_detail();
  INFO("detail " << (detail == cirrus::reports::TraceDetail::kKernels ? "kernels" : "passes"));
  const nlohmann::json t = trace_of(pp4_1f1b(), detail);
  REQUIRE(t.contains("traceEvents"));
  REQUIRE(t["traceEvents"].is_array());
  REQUIRE(t["displayTimeUnit"].is_string());
  std::set<std::pair<long, long>> named_threads, used_threads;
  std::set<long> named_processes;
  std::map<long, int> flow_starts, flow_finishes;
  std::map<std::string, int> phases;
  for (const auto& e : t["traceEvents"]) {
    REQUIRE(e["ph"].is_string());
    REQUIRE(e["name"].is_string());
    REQUIRE(e["pid"].is_number_integer());
    REQUIRE(e["tid"].is_number_integer());
    const std::string ph = e["ph"];
    ++phases[ph];
    const std::pair<long, long> thread{e["pid"].get<long>(), e["tid"].get<long>()};
    if (ph == "M") {
      REQUIRE(e["args"].is_object());
      if (e["name"] == "thread_name") named_threads.insert(thread);
      if (e["name"] == "process_name") named_processes.insert(thread.first);
      continue;
    }
    REQUIRE(e["ts"].is_number());
    CHECK(e["ts"].get<double>() >= 0);
    if (ph == "X") {
      REQUIRE(e["dur"].is_number());
      CHECK(e["dur"].get<double>() >= 0);
      used_threads.insert(thread);
    } else if (ph == "s" || ph == "f") {
      REQUIRE(e["id"].is_number_integer());
      (ph == "s" ? flow_starts : flow_finishes)[e["id"].get<long>()]++;
      if (ph == "f") CHECK(e["bp"] == "e");
    } else if (ph == "C") {
      REQUIRE(e["args"].is_object());
      for (const auto& [k, v] : e["args"].items()) {
        REQUIRE(v.is_number());
        CHECK(v.get<double>() >= 0);
      }
    } else {
      FAIL("unexpected phase " << ph);
    }
  }
  // 4 stages, each named; every thread with events is named.
  CHECK(named_processes.size() >= 4);
  for (const auto& th : used_threads) CHECK(named_threads.count(th) == 1);
  // Pipeline sends: each stage boundary is crossed by forwards and backwards.
  CHECK(phases["s"] > 0);
  CHECK(flow_starts == flow_finishes);
  for (const auto& [id, n] : flow_starts) CHECK(n == 1);
  CHECK(phases["C"] > 0);
  CHECK(phases["X"] > 0);
}

TEST_CASE("trace shows 1F1B warm-up, steady state and cool-down per stage", "[reports][trace]") {
  const int pp = 4, mbs = 8;
  const auto detail = any_detail();
  INFO("detail " << (detail == cirrus::reports::TraceDetail::kKernels ? "kernels" : "passes"));
  const nlohmann::json t = trace_of(pp4_1f1b(), detail);
  std::map<long, std::vector<std::pair<double, std::string>>> passes;  // pid -> (ts, name)
  for (const auto& e : t["traceEvents"]) {
    if (e["ph"] == "X" && e.value("cat", "") == "pass") {
      passes[e["pid"].get<long>()].emplace_back(e["ts"].get<double>(),
                                                e["name"].get<std::string>());
    }
  }
  REQUIRE(passes.size() == static_cast<std::size_t>(pp));
  for (int st = 0; st < pp; ++st) {
    auto seq = passes[st + 1];  // pid = stage + 1
    std::sort(seq.begin(), seq.end());
    // Megatron's 1F1B: pp - stage - 1 warm-up forwards, then the steady state starts with a
    // forward, so pp - stage forwards precede the first backward (stage 0: 4, stage 3: 1);
    // then one backward, one forward while forwards remain (mbs - (pp - stage) pairs); then
    // the cool-down's pp - stage backwards.
    std::vector<std::string> expected;
    const int warm = pp - st;
    int f = 0, b = 0;
    for (; f < warm; ++f) expected.push_back("forward mb " + std::to_string(f));
    while (f < mbs) {
      expected.push_back("backward mb " + std::to_string(b++));
      expected.push_back("forward mb " + std::to_string(f++));
    }
    while (b < mbs) expected.push_back("backward mb " + std::to_string(b++));
    std::vector<std::string> got;
    for (const auto& [ts, name] : seq) got.push_back(name);
    INFO("stage " << st);
    CHECK(got == expected);
  }
}

TEST_CASE("pass-detail trace merges each pass's work per stream and keeps the sends",
          "[reports][trace]") {
  const auto in = pp4_1f1b();
  const nlohmann::json passes = trace_of(in, cirrus::reports::TraceDetail::kPasses);
  const nlohmann::json kernels = trace_of(in, cirrus::reports::TraceDetail::kKernels);
  auto count = [](const nlohmann::json& t, const std::string& cat) {
    std::size_t n = 0;
    for (const auto& e : t["traceEvents"]) n += e["ph"] == "X" && e.value("cat", "") == cat;
    return n;
  };
  // The same 4 stages x 8 micro-batches x 2 = 64 passes and the same pipeline sends (the
  // flow arrows bind to them: 2 x 8 x 3 boundaries = 48) at both levels.
  CHECK(count(passes, "pass") == 64);
  CHECK(count(passes, "pass") == count(kernels, "pass"));
  CHECK(count(passes, "pipeline send") == count(kernels, "pipeline send"));
  // TP collectives: several per layer in kernels (2 layers a stage, 4 per layer at least),
  // at most one block per pass in passes.
  CHECK(count(passes, "TP communication") <= 64);
  CHECK(count(kernels, "TP communication") > count(passes, "TP communication"));
  // No compute kernels at pass detail: the pass event stands for them.
  CHECK(count(passes, "compute") == 0);
  CHECK(count(kernels, "compute") > 0);
  // Blocks of one thread never overlap (a stream runs its tasks one after another); stage-wide
  // pipeline sends to the two neighbours run concurrently on their own thread and may.
  std::map<std::pair<long, long>, std::vector<std::pair<double, double>>> spans;
  for (const auto& e : passes["traceEvents"]) {
    if (e["ph"] != "X" || e.value("cat", "") == "pipeline send") continue;
    const double ts = e["ts"], dur = e["dur"];
    spans[{e["pid"].get<long>(), e["tid"].get<long>()}].emplace_back(ts, ts + dur);
  }
  for (auto& [thread, v] : spans) {
    std::sort(v.begin(), v.end());
    for (std::size_t i = 1; i < v.size(); ++i) CHECK(v[i].first >= v[i - 1].second - 1e-6);
  }
  // Counters: at most 16 links of at most 501 points each.
  std::map<std::string, int> points;
  for (const auto& e : passes["traceEvents"]) {
    if (e["ph"] == "C") ++points[e["name"].get<std::string>()];
  }
  CHECK(points.size() <= 16);
  for (const auto& [name, n] : points) CHECK(n <= 501);
}
