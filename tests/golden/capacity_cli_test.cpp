// Capacity blocks and flex-start through the binary: a scenario-given price, the block the run
// is billed for (checked against the hand calculation from the run's own length), the runs
// that do not fit, the instances `plan` leaves out and the candidates it prunes, and the
// refusals (exit 3 at pricing.usd_per_hour).
#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_support.hpp"

namespace {

using namespace cirrus::testing;
using nlohmann::json;

const std::string kScenario = source_path("tests/data/pricing/capacity_block_p5.json");
const std::string kPlan = source_path("scenarios/regression/plan-capacity-block-llama3-8b.json");

// The test scenario with its JSON edited: written to the scratch folder.
std::string edited(const std::string& name, void (*edit)(json&)) {
  json j = json::parse(slurp(kScenario));
  edit(j);
  std::string path = scratch_dir() + "/" + name;
  write_text(path, j.dump());
  return path;
}

}  // namespace

TEST_CASE("simulate bills a capacity block: the run rounded up to whole days, paid up front",
          "[golden][pricing]") {
  const CliRun r = run_cli("simulate " + kScenario + " --format json");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const json j = json::parse(r.out);
  const double days = j["run"]["days"].get<double>();
  REQUIRE(days > 1);
  REQUIRE(days < 14);
  const json& cost = j["cost"];
  CHECK(cost["pricing"] == "capacity-block");
  // Up to 14 days, blocks come in whole days: ceil(days) days for both instances at $55.04/h.
  const double block_h = 24 * std::ceil(days);
  CHECK(cost["billed_hours"].get<double>() == Approx(block_h));
  CHECK(cost["usd_total"].get<double>() == Approx(2 * block_h * 55.04).epsilon(1e-3));
  // run.days is printed to 4 digits: 2 x 24 h x 0.005 d of slack.
  CHECK(cost["unused_hours"].get<double>() == Approx(2 * (block_h - 24 * days)).margin(0.25));
  CHECK(cost["catalog"] == "aws scenario");
  CHECK_THAT(cost["billing"].get<std::string>(), Catch::StartsWith("capacity block "));

  const CliRun t = run_cli("simulate " + kScenario);
  CHECK(t.status == 0);
  CHECK_THAT(t.out, Catch::Contains("cost (capacity-block)"));
  CHECK_THAT(t.out, Catch::Contains("billed: capacity block " +
                                    std::to_string(static_cast<int>(std::ceil(days))) + " d"));
}

TEST_CASE("price lists capacity-block and flex-start with the terms and the reasons",
          "[golden][pricing]") {
  const CliRun r = run_cli("price " + kScenario);
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Catch::Contains("capacity-block *"));
  const std::size_t flex_row = r.out.find("\nflex-start ");
  REQUIRE(flex_row != std::string::npos);
  CHECK_THAT(r.out.substr(flex_row, r.out.find('\n', flex_row + 1) - flex_row),
             Catch::Contains("not sold"));
  CHECK_THAT(r.out, Catch::Contains("capacity products:"));
  CHECK_THAT(r.out, Catch::Contains("paid up front"));
  CHECK_THAT(r.out, Catch::Contains("recalled from AWS's documentation, unverified"));
  CHECK_THAT(r.out, Catch::Contains("given by the scenario (pricing.usd_per_hour"));

  const CliRun j = run_cli("price " + kScenario + " --format json");
  REQUIRE(j.status == 0);
  const json out = json::parse(j.out);
  json block, flex, on_demand;
  for (const auto& c : out["costs"]) {
    if (c["pricing"] == "capacity-block") block = c;
    if (c["pricing"] == "flex-start") flex = c;
    if (c["pricing"] == "on-demand") on_demand = c;
  }
  REQUIRE(block["offered"] == true);
  const double run_h = block["run_time_s"].get<double>() / 3600;
  const double block_h = block["billed_hours"].get<double>();
  CHECK(block_h == 24 * std::ceil(run_h / 24));
  CHECK(block["billed_instances"] == 2);
  // The same run on demand pays its hours only: 2 x run_h x $55.04; the block pays 2 x block_h.
  CHECK(on_demand["usd_total"].get<double>() == Approx(2 * run_h * 55.04));
  CHECK(block["usd_total"].get<double>() == Approx(2 * block_h * 55.04));
  CHECK(block["unused_usd"].get<double>() == Approx(2 * (block_h - run_h) * 55.04));
  CHECK(flex["offered"] == false);
  CHECK_THAT(flex["why"].get<std::string>(), Catch::Contains("Google Cloud a2, a3 and g2"));
  CHECK(out["cost"]["pricing"] == "capacity-block");
}

TEST_CASE("a run longer than 182 days gets no capacity-block cost, and says why",
          "[golden][pricing]") {
  const std::string path =
      edited("capacity_too_long.json", [](json& j) { j["training"]["tokens"] = 3.0e12; });
  const CliRun r = run_cli("simulate " + path + " --format json");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const json j = json::parse(r.out);
  CHECK(j["run"]["days"].get<double>() > 182);
  CHECK_FALSE(j.contains("cost"));
  CHECK_THAT(j["cost_unavailable"].get<std::string>(),
             Catch::Contains("the longest Capacity Block is 182 days"));
  const CliRun p = run_cli("price " + path);
  CHECK(p.status == 0);
  CHECK_THAT(p.out, Catch::Contains("does not fit"));
}

TEST_CASE("flex-start bills the seconds of a short run on an a3", "[golden][pricing]") {
  const std::string path = edited("flex_a3.json", [](json& j) {
    j["cluster"]["instance"] = "gcp:a3-highgpu-8g";
    j["training"]["tokens"] = 2.0e10;
    j["pricing"] = {{"model", "flex-start"}, {"usd_per_hour", 87.83247}};
  });
  const CliRun r = run_cli("simulate " + path + " --format json");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const json j = json::parse(r.out);
  const double days = j["run"]["days"].get<double>();
  REQUIRE(days < 7);
  // No rounding: 2 instances x the run's hours x $87.83247.
  CHECK(j["cost"]["usd_total"].get<double>() == Approx(2 * days * 24 * 87.83247).epsilon(1e-3));
  CHECK(j["cost"]["billed_hours"].get<double>() == Approx(days * 24).epsilon(1e-3));
  CHECK(j["cost"]["unused_hours"].get<double>() == 0);
}

TEST_CASE("plan leaves out instances without capacity blocks and prunes runs out of terms",
          "[golden][pricing]") {
  const CliRun r = run_cli("plan " + kPlan);
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Catch::Contains("capacity-block prices"));
  CHECK_THAT(r.out, Catch::Contains("1 x Capacity Blocks are sold for AWS"));
  CHECK_THAT(r.out, Catch::Contains("gcp:a3-highgpu-8g"));
  CHECK_THAT(r.out, Catch::Contains("capacity-block: more than 64 instances (the largest block)"));
  CHECK_THAT(r.out, Catch::Contains("billed    capacity block"));
  const CliRun j = run_cli("plan " + kPlan + " --format json");
  REQUIRE(j.status == 0);
  const json best = json::parse(j.out)["best"];
  CHECK(best["cost"]["pricing"] == "capacity-block");
  const double days = best["cost"]["run_days"].get<double>();
  const double block_h = best["cost"]["billed_hours"].get<double>();
  CHECK(block_h == 24 * std::ceil(days));
  const double price = best["config"]["instance"] == "aws:p5.48xlarge" ? 55.04 : 27.44705;
  const int nodes = best["config"]["nodes"].get<int>();
  CHECK(best["cost"]["usd_total"].get<double>() == Approx(nodes * block_h * price).epsilon(1e-3));
}

TEST_CASE("capacity-product prices refused where they cannot apply: exit 3", "[golden][pricing]") {
  const std::string a3 =
      edited("capacity_a3.json", [](json& j) { j["cluster"]["instance"] = "gcp:a3-highgpu-8g"; });
  CliRun r = run_cli("simulate " + a3);
  CHECK(r.status == 3);
  CHECK_THAT(r.err, Catch::Contains("pricing.usd_per_hour"));
  CHECK_THAT(r.err, Catch::Contains("Capacity Blocks are sold for AWS"));
  const std::string no_price =
      edited("capacity_no_price.json", [](json& j) { j["pricing"].erase("usd_per_hour"); });
  r = run_cli("simulate " + no_price);
  CHECK(r.status == 0);
  CHECK_THAT(r.out, Catch::Contains("no price known"));
  const std::string plan_path = scratch_dir() + "/capacity_plan_a3.json";
  json plan = json::parse(slurp(kPlan));
  plan["cluster"]["instance"] = json::array({"gcp:a3-highgpu-8g"});
  plan["pricing"].erase("usd_per_hour");
  write_text(plan_path, plan.dump());
  r = run_cli("plan " + plan_path);
  CHECK(r.status == 3);
  CHECK_THAT(r.err, Catch::Contains("cluster.instance"));
  CHECK_THAT(r.err, Catch::Contains("an instance that can be priced as capacity-block"));
}
