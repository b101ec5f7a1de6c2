// End-to-end `cirrus plan` through the real binary on a shipped scenario with open choices
// (scenarios/examples/llama3-70b-plan.json: 9600 combinations, about a second in a release
// build): exit status, the contract's JSON fields, and the same bytes with one and two threads.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/golden/cli_support.hpp"

using cirrus::testing::run_cli;
using cirrus::testing::source_path;

namespace {

const std::string kPlan = source_path("scenarios/examples/llama3-70b-plan.json");

bool same_config(const nlohmann::json& a, const nlohmann::json& b) {
  return a["config"] == b["config"];
}

}  // namespace

TEST_CASE("plan of the shipped example: a best, a frontier, the top, searched and pruned counts",
          "[golden][plan][e2e]") {
  const auto r = run_cli("plan " + kPlan + " --format json -j 2");
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.err.empty());
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["cirrus"] == 1);
  for (const char* key : {"evaluated", "infeasible", "best", "pareto", "top", "search"}) {
    INFO(key);
    CHECK(j.contains(key));
  }

  // The search: every raw combination is either evaluated or pruned, each pruned one by a reason.
  const auto& search = j["search"];
  CHECK(search["raw_combinations"].get<double>() == 9600);
  CHECK(search["evaluated"].get<long>() + search["pruned"].get<long>() == 9600);
  CHECK(j["evaluated"] == search["evaluated"]);
  CHECK(j["infeasible"] == search["pruned"]);
  long by_reason = 0;
  for (const auto& [reason, count] : search["pruned_by_reason"].items()) {
    INFO(reason);
    CHECK(count.get<long>() > 0);
    by_reason += count.get<long>();
  }
  CHECK(by_reason == search["pruned"].get<long>());
  CHECK(search["refined"] == 8);

  // The best: feasible, one of the scenario's instances and node counts, within the 60-day limit,
  // re-simulated with the engine, and the cheapest of the listed candidates within the limit.
  const auto& best = j["best"];
  REQUIRE(best.is_object());
  CHECK(best["feasible"] == true);
  const auto& config = best["config"];
  const std::string instance = config["instance"];
  CHECK((instance == "aws:p5.48xlarge" || instance == "gcp:a3-megagpu-8g" ||
         instance == "azure:Standard_ND96isr_H100_v5" || instance == "aws:p4de.24xlarge"));
  const int nodes = config["nodes"];
  CHECK((nodes == 32 || nodes == 64 || nodes == 128));
  CHECK(config["tp"].get<int>() * config["pp"].get<int>() * config["dp"].get<int>() *
            config["cp"].get<int>() ==
        config["gpus"].get<int>());
  CHECK(best["step_time_s"].get<double>() > 0);
  CHECK(best["cost"]["usd_total"].get<double>() > 0);
  CHECK(best["cost"]["run_days"].get<double>() <= 60);
  CHECK(best["estimate"] == "engine");
  CHECK(j["objective"]["minimize"] == "cost");

  // The top: the best first, every entry feasible.
  const auto& top = j["top"];
  REQUIRE(top.is_array());
  REQUIRE(!top.empty());
  CHECK(top.size() <= 10);
  CHECK(same_config(top[0], best));
  for (const auto& t : top) {
    CHECK(t["feasible"] == true);
    if (t["cost"]["run_days"].get<double>() <= 60) {
      CHECK(t["cost"]["usd_total"].get<double>() >= best["cost"]["usd_total"].get<double>());
    }
  }

  // The Pareto frontier: not empty, faster entries cost more, and the best is on it.
  const auto& pareto = j["pareto"];
  REQUIRE(pareto.is_array());
  REQUIRE(!pareto.empty());
  bool best_on_frontier = false;
  for (std::size_t i = 0; i < pareto.size(); ++i) {
    CHECK(pareto[i]["feasible"] == true);
    if (same_config(pareto[i], best)) best_on_frontier = true;
    if (i > 0) {
      INFO("frontier entry " << i);
      CHECK(pareto[i]["step_time_s"].get<double>() >= pareto[i - 1]["step_time_s"].get<double>());
      CHECK(pareto[i]["cost"]["usd_total"].get<double>() <
            pareto[i - 1]["cost"]["usd_total"].get<double>());
    }
  }
  CHECK(best_on_frontier);
}

TEST_CASE("plan prints the same bytes with one and two threads, in every format",
          "[golden][plan][e2e][determinism]") {
  for (const std::string format : {"json", "table", "csv"}) {
    INFO(format);
    const auto one = run_cli("plan " + kPlan + " --format " + format + " -j 1");
    const auto two = run_cli("plan " + kPlan + " --format " + format + " -j 2");
    INFO(one.err);
    INFO(two.err);
    REQUIRE(one.status == 0);
    REQUIRE(two.status == 0);
    CHECK(!one.out.empty());
    CHECK(one.out == two.out);
  }
}
