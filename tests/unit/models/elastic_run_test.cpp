// Elastic training: phase arithmetic by hand with a stand-in step time, and re-lowering.
#include <catch2/catch.hpp>

#include "models/systems/elastic_run.hpp"

namespace {

using namespace cirrus::models;

StepInput base_input() {
  StepInput in;
  in.model = *find_model("llama2-7b");
  in.training.global_batch = 64;
  in.training.tokens = 0;
  in.cluster.node = *find_node("dgx-h100");
  in.cluster.nodes = 4;
  in.strategy.tp = 8;
  in.strategy.dp = 4;
  return in;
}

// A stand-in step: 64 s / dp (perfect data-parallel scaling), so the arithmetic is exact.
StepResult fake_step(const StepInput& in) {
  StepResult r;
  r.step_time_s = 64.0 / in.strategy.dp;
  return r;
}

}  // namespace

TEST_CASE("elastic: re-lowering keeps tp and changes dp", "[models][elastic]") {
  const StepInput base = base_input();
  StepInput out;
  std::string why;
  REQUIRE(relower(base, 2, out, why));
  CHECK(out.strategy.tp == 8);
  CHECK(out.strategy.dp == 2);
  CHECK(out.cluster.nodes == 2);
  // 3 nodes: dp 3 does not divide the global batch of 64.
  CHECK_FALSE(relower(base, 3, out, why));
  CHECK_THAT(why, Catch::Contains("global batch"));
}

TEST_CASE("elastic: phases by hand", "[models][elastic]") {
  StepInput base = base_input();
  const double tokens_per_step = 64.0 * 4096;  // global batch x sequence
  ElasticSpec e;
  e.schedule = {{0, 4}, {1, 2}};
  e.storage_bw_per_node = 1e9;
  e.restart_s = 100;
  // Phase 1: 4 nodes, dp 4, 16 s per step, 1 h = 3600 s -> 225 steps.
  // Re-shard: checkpoint = 6,738,415,616 params x (2 + 12) B = 94.34 GB; written by 4 nodes
  // at 1 GB/s each (23.58 s), restart 100 s, read by 2 nodes (47.17 s).
  const double ckpt = checkpoint_bytes(base);
  CHECK(ckpt == Approx(base.model.parameters() * 14.0));
  const double reshard = ckpt / 4e9 + 100 + ckpt / 2e9;
  CHECK(reshard_seconds(base, e, 4, 2) == Approx(reshard));
  // Phase 2: 2 nodes, dp 2, 32 s per step, for the remaining 100 steps' tokens.
  base.training.tokens = (225 + 100) * tokens_per_step;
  const ElasticRun run = elastic_run(base, e, 10.0, fake_step);
  REQUIRE(run.phases.size() == 2);
  CHECK(run.completes);
  CHECK(run.phases[0].dp == 4);
  CHECK(run.phases[0].tokens == Approx(225 * tokens_per_step));
  CHECK(run.phases[0].usd == Approx(4 * 10.0 * 1.0));
  CHECK(run.phases[1].dp == 2);
  CHECK(run.phases[1].tokens == Approx(100 * tokens_per_step));
  const double phase2_s = reshard + 100 * 32.0;
  CHECK(run.phases[1].end_h == Approx(1.0 + phase2_s / 3600));
  CHECK(run.phases[1].usd == Approx(2 * 10.0 * phase2_s / 3600));
  CHECK(run.hours == Approx(1.0 + phase2_s / 3600));
  CHECK(run.usd == Approx(40.0 + 20.0 * phase2_s / 3600));
  CHECK(run.tokens == Approx(325 * tokens_per_step));
}

TEST_CASE("elastic: a run that ends before the next change stops there", "[models][elastic]") {
  StepInput base = base_input();
  base.training.tokens = 10 * 64.0 * 4096;  // 10 steps of 16 s
  ElasticSpec e;
  e.schedule = {{0, 4}, {1, 2}};
  const ElasticRun run = elastic_run(base, e, 1.0, fake_step);
  REQUIRE(run.phases.size() == 1);
  CHECK(run.hours == Approx(160.0 / 3600));
}
