// Plan output shows each candidate's storage placements once any candidate offloads, and
// keeps its columns when none does.
#include <catch2/catch.hpp>

#include "plan/planner.hpp"
#include "reports/plan_render.hpp"
#include "scenarios/scenario.hpp"

using namespace cirrus;

namespace {

std::string csv_header(const std::string& offload) {
  const auto s = scenarios::parse_scenario(R"({
    "cirrus": 1, "name": "placements", "model": {"preset": "llama2-7b", "layers": 4},
    "training": {"global_batch": 64, "tokens": 1e9},
    "cluster": {"node": "dgx-a100-80gb", "nodes": 1},
    "strategy": {"tp": 1, "micro_batch": 1, "offload": )" +
                                               offload + R"(},
    "objective": {"minimize": "time"}})",
                                           "p.json");
  plan::InstanceOption o;
  o.id = "dgx-a100-80gb";
  o.node = *s.node;
  const auto space = plan::build_search_space(s, {o});
  plan::PlanOptions opt;
  opt.refine = 1;
  const auto r = plan::run_plan(s, space, opt);
  const reports::PlanView v{&s, &space, &r, "on-demand"};
  const std::string csv = reports::render_plan_csv(v);
  const auto json = reports::plan_json(v);
  REQUIRE(r.best);
  if (offload != "{}") {
    CHECK(json["best"]["config"].contains("offload"));
  }
  return csv.substr(0, csv.find('\n'));
}

}  // namespace

TEST_CASE("plan output: placements shown when a candidate offloads", "[reports][offload]") {
  // The error-bar columns (sigma and the ranges' ends) come last in both.
  CHECK_THAT(csv_header(R"({"optimizer": ["gpu", "host"]})"),
             Catch::Contains(",meets_limits,offload_params,offload_optimizer,sigma,"));
  CHECK_THAT(csv_header("{}"), Catch::Contains(",meets_limits,sigma,"));
  CHECK_THAT(csv_header("{}"), !Catch::Contains("offload"));
}
