// The `expect` block of `cirrus check`: ranges, configuration matches, the readable difference
// of a failure, and bad input (unknown fields with a suggestion, wrong shapes) as InputErrors.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "app/expectations.hpp"
#include "common/input_error.hpp"
#include "models/step/simulate.hpp"
#include "reports/expectations.hpp"
#include "reports/result_render.hpp"
#include "scenarios/scenario.hpp"
#include "scenarios/step_input.hpp"

using cirrus::InputError;
using cirrus::app::parse_expectations;
using cirrus::reports::Check;
using cirrus::reports::check_expectations;
using cirrus::reports::difference;

namespace {

cirrus::scenarios::Scenario scenario_with(const std::string& expect) {
  const std::string text = R"({
    "cirrus": 1, "name": "small",
    "model": {"preset": "llama2-7b", "layers": 8},
    "training": {"global_batch": 64, "tokens": 1e9},
    "cluster": {"instance": "aws:p4de.24xlarge", "nodes": 1},
    "strategy": {"tp": 2, "pp": 2, "dp": 2, "micro_batch": 1, "sequence_parallel": true},
    "expect": )" + expect + "}";
  return cirrus::scenarios::parse_scenario(text, "small.json");
}

const nlohmann::json kResult = nlohmann::json::parse(R"({
  "cirrus": 1, "scenario": "small",
  "config": {"instance": "gcp:a3-megagpu-8g", "nodes": 4, "gpus": 32, "tp": 8, "pp": 1,
             "dp": 4, "cp": 1, "ep": 1, "micro_batch": 1, "schedule": "1f1b",
             "virtual_stages": 1, "zero": 1, "recompute": "selective",
             "sequence_parallel": true, "attention": "flash",
             "overlap": {"dp": true, "tp": false, "pp": true}},
  "feasible": true, "infeasible_reason": null,
  "step_time_s": 12.84, "mfu": 0.41,
  "memory_gib": {"total": 61.5, "capacity": 80},
  "cost": {"pricing": "spot", "usd_total": 1.5e6, "usd_per_hour": null}
})");

std::vector<Check> judge(const std::string& expect, const nlohmann::json& result = kResult) {
  return check_expectations(scenario_with(expect), result);
}

// The InputError's message, or "" when none was thrown.
std::string input_error(const std::string& expect) {
  try {
    parse_expectations(scenario_with(expect));
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("a scenario without expect has no expectations", "[check]") {
  const auto s = cirrus::scenarios::parse_scenario(
      R"({"cirrus": 1, "model": {"preset": "llama2-7b"}, "training": {"global_batch": 8},
          "cluster": {"node": "dgx-a100-80gb", "nodes": 1}, "strategy": {"dp": 8}})",
      "none.json");
  CHECK(parse_expectations(s).empty());
}

TEST_CASE("ranges include their bounds and say how far outside a value lies", "[check]") {
  const auto in = judge(R"({"step_time_s": [12, 13], "mfu": [0.41, 0.41]})");
  REQUIRE(in.size() == 2);
  CHECK(in[0].passed);
  CHECK(in[1].passed);

  const auto above = judge(R"({"step_time_s": [10, 12]})");
  REQUIRE(above.size() == 1);
  CHECK_FALSE(above[0].passed);
  CHECK(difference(above[0]) ==
        "expect.step_time_s: expected in [10, 12], got 12.84 (+7.0% above the range)");

  const auto below = judge(R"({"memory_gib.total": [70.0, 75.5]})");
  CHECK_FALSE(below[0].passed);
  CHECK(difference(below[0]) ==
        "expect.memory_gib.total: expected in [70, 75.5], got 61.5 (-12.1% below the range)");
}

TEST_CASE("an object in expect is the same as its dotted paths", "[check]") {
  const auto c = judge(R"({"memory_gib": {"total": [60, 62]}, "config": {"tp": 8}})");
  REQUIRE(c.size() == 2);  // in key order
  CHECK(c[0].passed);
  CHECK(c[0].name == "expect.config.tp");
  CHECK(c[1].passed);
  CHECK(c[1].name == "expect.memory_gib.total");
}

TEST_CASE("best and the strategy shorthands compare the chosen configuration", "[check]") {
  const auto ok = judge(R"({"best": {"instance": "gcp:a3-megagpu-8g", "tp": 8.0, "nodes": [2, 8],
                                     "sequence_parallel": true, "overlap": {"tp": false}},
                            "schedule": "1f1b", "zero": 1, "feasible": true})");
  REQUIRE(ok.size() == 8);
  for (const auto& c : ok) {
    INFO(difference(c));
    CHECK(c.passed);
  }

  const auto bad = judge(R"({"best": {"instance": "aws:p5.48xlarge"}, "tp": 4})");
  REQUIRE(bad.size() == 2);
  CHECK(difference(bad[0]) ==
        R"(expect.best.instance: expected "aws:p5.48xlarge", got "gcp:a3-megagpu-8g")");
  CHECK(difference(bad[1]) == "expect.tp: expected 4, got 8");
}

TEST_CASE("a field the result lacks fails and says why", "[check]") {
  nlohmann::json infeasible = kResult;
  infeasible["feasible"] = false;
  infeasible["infeasible_reason"] = "out of memory: 93.1 GiB of 80";
  infeasible.erase("step_time_s");
  const auto c = judge(R"({"step_time_s": [1, 2], "feasible": false})", infeasible);
  REQUIRE(c.size() == 2);
  CHECK(c[0].passed);
  CHECK_FALSE(c[1].passed);
  CHECK(c[1].actual == "nothing (infeasible: out of memory: 93.1 GiB of 80)");

  nlohmann::json no_cost = kResult;
  no_cost.erase("cost");
  const auto d = judge(R"({"cost.usd_total": [1, 2]})", no_cost);
  CHECK(d[0].actual == "nothing (the result has no cost)");
  const auto n = judge(R"({"cost.usd_per_hour": [1, 2]})");
  CHECK_FALSE(n[0].passed);
  CHECK(n[0].actual == "null");
}

TEST_CASE("an unknown field is bad input naming expect.<field> with a suggestion", "[check]") {
  const std::string top = input_error(R"({"step_time": [1, 2]})");
  CHECK(top.find("small.json: expect.step_time: ") == 0);
  CHECK(top.find("did you mean 'step_time_s'?") != std::string::npos);

  const std::string best = input_error(R"({"best": {"instanse": "aws:p5.48xlarge"}})");
  CHECK(best.find("expect.best.instanse") != std::string::npos);
  CHECK(best.find("did you mean 'instance'?") != std::string::npos);

  const std::string dotted = input_error(R"({"memory_gib.totl": [1, 2]})");
  CHECK(dotted.find("did you mean 'memory_gib.total'?") != std::string::npos);
  CHECK(input_error(R"({"memory_gib": {"total": [1, 2], "peak": 3}})")
            .find("expect.memory_gib.peak") != std::string::npos);
  CHECK_FALSE(input_error(R"({"links": 3})").empty());
}

TEST_CASE("wrong shapes are bad input", "[check]") {
  CHECK(input_error(R"({"best": "aws:p5.48xlarge"})").find("expect.best: expected an object") !=
        std::string::npos);
  CHECK(input_error(R"({"step_time_s": [12, 10]})").find("low <= high") != std::string::npos);
  CHECK_FALSE(input_error(R"({"step_time_s": [1, 2, 3]})").empty());
  CHECK_FALSE(input_error(R"({"step_time_s": [1, "2"]})").empty());
  CHECK_FALSE(input_error(R"({"step_time_s": "fast"})").empty());
  CHECK_FALSE(input_error(R"({"step_time_s": null})").empty());
  CHECK_FALSE(input_error(R"({"step_time_s": {"low": 1}})").empty());
  CHECK(input_error(R"({"instance": ["a", "b"]})").find("numeric field") != std::string::npos);
  CHECK_FALSE(input_error(R"({"tp": "8"})").empty());
  CHECK_FALSE(input_error(R"({"feasible": 1})").empty());
  CHECK(input_error(R"({"tp": 8, "step_time_s": [1, 2], "best": {}})").empty());
}

TEST_CASE("every scalar of a simulate result can be expected", "[check]") {
  const auto s = scenario_with("{}");
  cirrus::reports::ResultContext ctx{s.name, cirrus::scenarios::hardware_label(s),
                                     cirrus::scenarios::pinned_input(s)};
  const auto result = cirrus::reports::result_json(ctx, cirrus::models::simulate_step(ctx.input));
  REQUIRE(result["feasible"] == true);
  const auto& fields = cirrus::app::expectation_fields();
  const std::set<std::string> known(fields.begin(), fields.end());
  // Walks the result's scalars; arrays (links, assumptions) are not addressable.
  std::vector<std::string> missing;
  auto walk = [&](auto&& self, const nlohmann::json& j, const std::string& prefix) -> void {
    for (const auto& [k, v] : j.items()) {
      const std::string path = prefix.empty() ? k : prefix + "." + k;
      if (v.is_object()) {
        self(self, v, path);
      } else if (!v.is_array() && path != "cirrus" && path != "scenario" &&
                 known.count(path) == 0) {
        missing.push_back(path);
      }
    }
  };
  walk(walk, result, "");
  INFO("result fields an expectation cannot address: " << nlohmann::json(missing).dump());
  CHECK(missing.empty());
}
