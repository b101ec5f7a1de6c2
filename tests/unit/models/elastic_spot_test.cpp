// Elastic runs on spot interruptions: rate 0 is the fixed-node run, a higher rate never
// shortens the run (same seeds), the timeline is deterministic, and bad input names its path.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "common/input_error.hpp"
#include "models/systems/elastic_spot.hpp"
#include "scenarios/scenario.hpp"

namespace {

using namespace cirrus::models;

// Llama-2-7B, tp 8 on 4 DGX H100 nodes (dp = nodes), global batch 64: 3 nodes re-lower to 2
// (dp 3 does not divide 64), so an interruption of one node halves the throughput.
StepInput base_input() {
  StepInput in;
  in.model = *find_model("llama2-7b");
  in.training.global_batch = 64;
  in.cluster.node = *find_node("dgx-h100");
  in.cluster.nodes = 4;
  in.strategy.tp = 8;
  in.strategy.dp = 4;
  // 64 s / dp per step (below): 16 s at dp 4, 64 x 4096 tokens per step -> 16,384 tokens/s;
  // 100 hours of it.
  in.training.tokens = 16384.0 * 3600 * 100;
  return in;
}

StepResult fake_step(const StepInput& in) {
  StepResult r;
  r.step_time_s = 64.0 / in.strategy.dp;
  return r;
}

ElasticSpec spec() {
  ElasticSpec e;
  e.storage_bw_per_node = 1.2e9;
  e.restart_s = 600;
  return e;
}

}  // namespace

TEST_CASE("elastic spot: rate 0 is the fixed-node run", "[models][elastic]") {
  const StepInput base = base_input();
  ElasticSpec fixed = spec();
  fixed.schedule = {{0, 4}};
  const ElasticRun f = elastic_run(base, fixed, 10.0, fake_step);
  SpotInterruptions s;
  s.per_node_hour = 0;
  s.replacement_hours = 1;
  const ElasticRun r = spot_elastic_run(base, spec(), s, 10.0, fake_step);
  // 100 h on 4 nodes at $10 per node-hour: $4,000, no re-shard.
  CHECK(f.hours == Approx(100));
  CHECK(r.hours == f.hours);
  CHECK(r.usd == f.usd);
  CHECK(r.usd == Approx(4000));
  CHECK(r.phases.size() == 1);
  CHECK(r.completes);
}

TEST_CASE("elastic spot: the timeline is deterministic and holds the nodes it pays for",
          "[models][elastic]") {
  const StepInput base = base_input();
  SpotInterruptions s{0.05, 2.0, 7};
  const auto a = spot_schedule(base, s, 500);
  const auto b = spot_schedule(base, s, 500);
  REQUIRE(a.size() == b.size());
  REQUIRE(a.size() > 1);  // 4 nodes x 0.05 / h x 500 h: ~100 interruptions expected
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].at_hours == b[i].at_hours);
    CHECK(a[i].nodes == b[i].nodes);
    // Training nodes: 4, 2 (3 held), 2, 1 or 0; never more than held.
    CHECK((a[i].nodes == 4 || a[i].nodes == 2 || a[i].nodes == 1 || a[i].nodes == 0));
    if (a[i].held > 0) CHECK(a[i].held >= a[i].nodes);
  }
  // A longer horizon only appends.
  const auto c = spot_schedule(base, s, 250);
  for (std::size_t i = 0; i < c.size(); ++i) CHECK(c[i].at_hours == a[i].at_hours);
}

TEST_CASE("elastic spot: a higher interruption rate never shortens the run",
          "[models][elastic][property]") {
  const StepInput base = base_input();
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    double previous_h = 0;
    for (double rate : {0.0, 0.002, 0.01, 0.03, 0.1}) {
      SpotInterruptions s{rate, 3.0, seed};
      const ElasticRun r = spot_elastic_run(base, spec(), s, 10.0, fake_step);
      INFO("seed " << seed << " rate " << rate);
      REQUIRE(r.completes);
      CHECK(r.tokens == Approx(base.training.tokens));
      CHECK(r.hours >= previous_h);
      previous_h = r.hours;
    }
  }
}

TEST_CASE("elastic spot: bad input names the JSON path", "[scenarios][elastic]") {
  using nlohmann::json;
  auto path = [](const json& spot) {
    json j = json::parse(R"({
      "cirrus": 1, "model": {"preset": "llama2-7b"},
      "training": {"global_batch": 64, "tokens": 1e9},
      "cluster": {"node": "dgx-h100", "nodes": 4}, "strategy": {"tp": 8}})");
    j["elastic"] = {{"spot", spot}};
    try {
      cirrus::scenarios::parse_scenario(j.dump(), "spot.json");
    } catch (const cirrus::InputError& e) {
      return e.path();
    }
    return std::string("(no error)");
  };
  CHECK(path({{"interruptions_per_node_hour", -0.1}, {"replacement_hours", 1}}) ==
        "elastic.spot.interruptions_per_node_hour");
  CHECK(path({{"interruptions_per_node_hour", 0.1}, {"replacement_hours", -1}}) ==
        "elastic.spot.replacement_hours");
  CHECK(path({{"interruptions_per_node_hour", 0.1}}) == "elastic.spot.replacement_hours");
  CHECK(path({{"interruptions_per_node_hour", 0.1}, {"replacement_hours", 1}, {"seeds", 1}}) ==
        "elastic.spot.seeds");
  CHECK(path({{"interruptions_per_node_hour", 0.1}, {"replacement_hours", 1}}) == "(no error)");
}

TEST_CASE("elastic: a paused phase trains nothing and pays for the nodes held",
          "[models][elastic]") {
  // 4 nodes for 1 h, then no replica fits on the 2 nodes held for 1 h (paused), then 4 again.
  // Re-shards: into the pause only the write by 4 nodes; out of it a restart and a read by 4.
  StepInput base = base_input();
  ElasticSpec e = spec();
  e.schedule = {{0, 4}, {1, 0, 2, true}, {2, 4}};
  const ElasticRun r = elastic_run(base, e, 10.0, fake_step);
  REQUIRE(r.phases.size() == 3);
  const double write4 = checkpoint_bytes(base) / (1.2e9 * 4);
  CHECK(r.phases[1].paused);
  CHECK(r.phases[1].tokens == 0);
  CHECK(r.phases[1].reshard_s == Approx(write4));
  CHECK(r.phases[1].usd == Approx(2 * 10.0 * 1.0));  // 2 nodes held x $10 x 1 h
  CHECK(r.phases[2].reshard_s == Approx(600 + write4));
  // 100 h of work at 4 nodes: 1 h before the pause, the rest after the resume's re-shard.
  CHECK(r.hours == Approx(2 + 99 + (600 + write4) / 3600));
  CHECK(r.completes);
}
