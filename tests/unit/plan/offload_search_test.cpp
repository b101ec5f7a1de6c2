// The planner searches the storage placements (strategy.offload.params / .optimizer) like any
// other choice: counted in the raw combinations, bad pairs pruned by reason, ranked by the
// analytic offload overlay; simulate refuses them open.
#include <catch2/catch.hpp>

#include "common/input_error.hpp"
#include "models/step/analytic_step.hpp"
#include "plan/planner.hpp"
#include "plan/search_space.hpp"
#include "scenarios/scenario.hpp"

using namespace cirrus;

namespace {

// Llama-2-7B (6.7e9 parameters) on one DGX A100 80GB with tp = pp = 1, dp 8, no ZeRO.
scenarios::Scenario offload_scenario(const std::string& node, const std::string& offload,
                                     const std::string& model_extra = "") {
  return scenarios::parse_scenario(R"({
    "cirrus": 1, "name": "offload search",
    "model": {"preset": "llama2-7b")" + model_extra +
                                       R"(},
    "training": {"global_batch": 64, "tokens": 1e9},
    "cluster": {"node": ")" + node + R"(", "nodes": 1},
    "strategy": {"tp": 1, "pp": 1, "micro_batch": 1, "zero": 0, "recompute": "full",
                 "offload": )" + offload +
                                       R"(},
    "objective": {"minimize": "time"}
  })",
                                   "offload.json");
}

std::vector<plan::InstanceOption> option(const scenarios::Scenario& s) {
  plan::InstanceOption o;
  o.id = "test:" + s.node_id;
  o.node = *s.node;
  o.usd_per_hour = 20.0;
  return {o};
}

}  // namespace

TEST_CASE("planner: optimizer offload to host makes an out-of-memory model feasible and wins",
          "[plan][offload]") {
  // Hand reasoning, 6.74e9 parameters per GPU (no sharding), mixed-precision Adam:
  //   all on the GPU: bf16 weights 2 B + fp32 gradients 4 B + fp32 master, m, v 12 B = 18 B
  //   per parameter = 121 GB = 113 GiB of model states (+ activations and buffers) > 80 GiB:
  //   out of memory (the first REQUIRE below).
  //   optimizer on the host: the 12 B of states leave the GPU, which keeps 2 B weights + 4 B
  //   gradients = 6 B = 37.7 GiB (+ 2.6 GiB activations and buffers: 40.2 GiB) and fits; the
  //   host holds the states and an fp32 copy of the gradients, 16 B x 6.74e9 = 100.4 GiB per
  //   GPU, 8 GPUs = 803 GiB < the DGX A100's 2 TiB.
  //   Parameters offloaded too (host or NVMe) add their transfers in every layer use, an NVMe
  //   optimizer its NVMe reads and writes: the host optimizer alone is the fastest feasible.
  const auto pinned = offload_scenario("dgx-a100-80gb", R"({"optimizer": "gpu"})");
  {
    models::StepInput in;
    in.model = pinned.model;
    in.training = pinned.training;
    in.cluster = pinned.pinned_cluster();
    in.strategy = pinned.pinned_strategy();
    const auto r = models::analytic_step(in);
    REQUIRE_FALSE(r.feasible);
    CHECK(r.memory.total > 80.0);
    CHECK(r.memory.params + r.memory.grads + r.memory.optimizer == Approx(113.0).margin(0.5));
  }
  const auto s = offload_scenario("dgx-a100-80gb", R"({"params": "auto", "optimizer": "auto"})");
  CHECK(s.open_choices() ==
        std::vector<std::string>{"strategy.offload.params", "strategy.offload.optimizer"});
  const auto space = plan::build_search_space(s, option(s));
  // 3 x 3 placements, every other list of size 1: 1 instance x 1 nodes x 9 = 9. Virtual
  // stages are open (1-4) but the schedule is 1F1B, for which only 1 means anything: the
  // planner enumerates it once.
  CHECK(space.raw_combinations() == 9);
  plan::PlanOptions opt;
  opt.refine = 2;
  const auto r = plan::run_plan(s, space, opt);
  REQUIRE(r.best);
  const auto& best = r.candidates[*r.best].strategy;
  CHECK(best.offload.params == models::Tier::kGpu);
  CHECK(best.offload.optimizer == models::Tier::kHost);
  {
    const auto m = models::analytic_step(plan::candidate_input(s, space, r.candidates[*r.best]));
    CHECK(m.memory.params + m.memory.grads == Approx(37.7).margin(0.2));
    CHECK(m.memory.optimizer == 0);
    CHECK(m.memory.total < 80.0);
  }
  // params offloaded with the optimizer on the GPU: (host, gpu), (nvme, gpu).
  CHECK(r.pruned.at("parameters offloaded with the optimizer states on the GPU") == 2);
  CHECK(r.pruned.at("out of memory") == 1);  // (gpu, gpu), virtual stages 1
  // The other six placements with virtual stages 1 are priced.
  CHECK(r.evaluated == 6);
  CHECK(r.evaluated + r.infeasible == 9);
}

TEST_CASE("planner: a node without host memory figures cannot offload", "[plan][offload]") {
  // l4-x8 gives no host memory or NVMe figures (0 = unknown): every offloaded placement is
  // pruned with its reason. 4 layers of Llama-2-7B (4 x 202M + 2 x 131M embeddings = 1.07e9
  // parameters, 16 B each = 17 GB) fit the L4's 24 GB without offload.
  const auto s =
      offload_scenario("l4-x8", R"({"optimizer": ["gpu", "host", "nvme"]})", R"(, "layers": 4)");
  const auto space = plan::build_search_space(s, option(s));
  const auto r = plan::run_plan(s, space, {});
  for (const auto& c : r.candidates) CHECK_FALSE(c.strategy.offload.any());
  // Optimizer on the host or on NVMe (virtual stages 1; the other 3 fail the validity rules):
  // both keep the fp32 gradients in host memory, so both meet the unknown host memory first.
  CHECK(r.pruned.at("offload to host: the node's host memory is unknown") == 2);
  CHECK(r.evaluated == 1);  // (gpu, gpu)
}

TEST_CASE("simulate refuses an open offload placement and names it", "[plan][offload]") {
  const auto s = offload_scenario("dgx-a100-80gb", R"({"optimizer": ["gpu", "host"]})");
  try {
    (void)s.pinned_strategy();
    FAIL("an open placement was pinned");
  } catch (const InputError& e) {
    CHECK(e.path() == "strategy.offload.optimizer");
  }
  try {
    scenarios::check_pinned(s);
    FAIL("an open placement passed check_pinned");
  } catch (const InputError& e) {
    CHECK(e.path() == "strategy.offload.optimizer");
  }
  // A pinned bad pair is still the loader's error.
  CHECK_THROWS_AS(offload_scenario("dgx-a100-80gb", R"({"params": "host", "optimizer": "gpu"})"),
                  InputError);
}
