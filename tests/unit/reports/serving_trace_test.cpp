// The serving trace: valid trace-event JSON, one slice per iteration up to the cap, the cap
// said in otherData.
#include <algorithm>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "reports/serving_trace.hpp"
#include "tests/unit/models/serving/serving_fixtures.hpp"

using namespace cirrus;
using namespace cirrus::models;

namespace {

int slices(const nlohmann::json& j) {
  int n = 0;
  for (const auto& e : j["traceEvents"]) n += e["ph"] == "X" ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("a serving trace has one slice per iteration, up to its cap", "[serving][reports]") {
  const auto requests = cirrus::testing::all_at_once(20, 300, 30);
  FleetConfig config;
  config.replicas = 2;
  config.blocks = 1000;
  config.scheduler.max_num_batched_tokens = 512;
  BatchTrace trace;
  config.trace = &trace;
  cirrus::testing::FixedTimer timer(0.002);
  const FleetOutcome o = simulate_fleet(requests, config, timer);
  const std::int64_t iterations = o.replicas[0].iterations + o.replicas[1].iterations;
  CHECK(trace.iterations == iterations);
  REQUIRE(static_cast<std::int64_t>(trace.records.size()) == iterations);

  const auto j = nlohmann::json::parse(reports::render_serving_trace(trace, 2, "t"));
  CHECK(slices(j) == iterations);
  CHECK(j["otherData"]["complete"] == true);
  // The first slice: replica 0's first iteration at 0, 2 ms long, prefills within the budget.
  const auto& first = *std::find_if(j["traceEvents"].begin(), j["traceEvents"].end(),
                                    [](const auto& e) { return e["ph"] == "X"; });
  CHECK(first["name"] == "prefill");
  CHECK(first["ts"].get<double>() == 0);
  CHECK(first["dur"].get<double>() == Approx(2000));
  CHECK(first["args"]["tokens"] == 512);
  CHECK(first["args"]["kv_blocks"].get<int>() > 0);

  BatchTrace capped;
  capped.cap = 5;
  config.trace = &capped;
  (void)simulate_fleet(requests, config, timer);
  const auto c = nlohmann::json::parse(reports::render_serving_trace(capped, 2, "t"));
  CHECK(slices(c) == 5);
  CHECK(c["otherData"]["complete"] == false);
  CHECK(c["otherData"]["iterations"] == iterations);
  CHECK(c["otherData"]["cap"] == 5);
}
