// `cirrus serve` with a fleet that changes (serving.autoscaling, serving.spot) and with pricing
// models, through the binary: the shipped one-day example's table and JSON, the same bytes
// twice, committed and spot prices of a fixed fleet, and bad input as one line, exit 3 and
// nothing written.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/golden/cli_support.hpp"

using cirrus::testing::run_cli;
using cirrus::testing::scratch_dir;
using cirrus::testing::slurp;
using cirrus::testing::source_path;
using cirrus::testing::write_scenario;
using cirrus::testing::write_text;

namespace {

const std::string kDay = "scenarios/examples/llama3-8b-serving-autoscale.json";
const std::string kFixed = "scenarios/examples/llama3-8b-serving-h100.json";

nlohmann::json load(const std::string& rel) {
  return nlohmann::json::parse(slurp(source_path(rel)));
}

}  // namespace

TEST_CASE("serve: a day of a daily cycle on an autoscaled spot fleet", "[golden][serving]") {
  const auto table = run_cli("serve " + source_path(kDay));
  REQUIRE(table.status == 0);
  CHECK(table.err.empty());
  CHECK_THAT(table.out, Catch::Contains("autoscaling: target-concurrency 4 per replica") &&
                            Catch::Contains("new replica:") && Catch::Contains("spot:") &&
                            Catch::Contains("mean replicas") && Catch::Contains("at spot") &&
                            Catch::Contains("Little's law"));

  const auto json = run_cli("serve " + source_path(kDay) + " --format json");
  REQUIRE(json.status == 0);
  const auto j = nlohmann::ordered_json::parse(json.out);
  CHECK(j.back().is_object());  // fleet_changes ends the result
  const auto& f = j["fleet_changes"];
  CHECK(j["completed"] == j["requests"]);
  CHECK(j["little"]["relative_error"].get<double>() < 1e-9);
  CHECK(j["cost"]["pricing"] == "spot");
  CHECK_THAT(j["cost"]["source"].get<std::string>(), Catch::Contains("spot"));
  CHECK(f["autoscaling"]["scale_ups"].get<int>() > 0);
  CHECK(f["autoscaling"]["scale_downs"].get<int>() > 0);
  CHECK(f["peak_replicas"].get<int>() <= 8);
  CHECK(f["spot"]["interruptions_per_hour"] == 0.1);
  CHECK(f["spot"]["notice_s"] == 120);  // AWS's notice
  CHECK(f["hours"].size() >= 24);
  // Cost = replica-hours x the spot price x 1 GPU / 8.
  const double per_replica = j["cost"]["usd_per_instance_hour"].get<double>() / 8;
  CHECK(j["cost"]["usd_total"].get<double>() ==
        Approx(per_replica * f["replica_hours"].get<double>()).epsilon(1e-3));
  // The scale-up delay: 180 s start + the weights at 1.2 GB/s.
  CHECK(f["scale_up_delay_s"].get<double>() ==
        Approx(180 + f["weights_gb"].get<double>() / 1.2).epsilon(1e-3));
  // Every hour's requests add up to the run's.
  std::size_t sum = 0;
  for (const auto& h : f["hours"]) sum += h["requests"].get<std::size_t>();
  CHECK(sum == j["requests"].get<std::size_t>());
  // The same seed giving the same run is checked in dynamic_fleet_test.cpp: a third
  // day-long run would only cost the sanitizer builds their time.
}

TEST_CASE("serve: a fixed fleet priced committed and spot", "[golden][serving]") {
  nlohmann::json j = load(kFixed);
  j["serving"]["arrivals"]["requests"] = 2000;
  j["pricing"] = {{"model", "committed-1y"}, {"usd_per_hour", 60}};  // the catalog has none for p5
  const auto c = run_cli("serve " + write_scenario("committed.json", j) + " --format json");
  REQUIRE(c.status == 0);
  const auto r = nlohmann::json::parse(c.out);
  CHECK(r["cost"]["pricing"] == "committed-1y");
  CHECK(r["cost"]["committed_unused_usd"] == 0);  // a fixed fleet uses its reservation
  CHECK(r.find("fleet_changes") == r.end());
  // 8 replicas x the makespan.
  CHECK(r["cost"]["replica_hours"].get<double>() ==
        Approx(8 * r["throughput"]["makespan_s"].get<double>() / 3600).epsilon(1e-3));

  j["pricing"] = {{"model", "spot"}};
  const auto s = run_cli("serve " + write_scenario("spot-priced.json", j));
  REQUIRE(s.status == 0);
  CHECK_THAT(s.out, Catch::Contains("aws:p5.48xlarge at spot") &&
                        Catch::Contains("spot prices without interruptions"));
}

TEST_CASE("serve: bad autoscaling and spot input is one line, exit 3", "[golden][serving]") {
  const std::string out = scratch_dir() + "/autoscale-out.json";
  const auto refused = [&](const std::string& name, const nlohmann::json& j,
                           const std::string& says) {
    std::filesystem::remove(out);
    const auto r = run_cli("serve " + write_scenario(name, j) + " -o " + out);
    INFO(r.err);
    CHECK(r.status == 3);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Catch::Contains(says));
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK_FALSE(std::filesystem::exists(out));
  };
  nlohmann::json j = load(kDay);
  j["serving"]["autoscaling"]["max_replicas"] = 0;
  refused("max.json", j, "serving.autoscaling.max_replicas");
  j = load(kDay);
  j["serving"]["replicas"] = 9;
  refused("start.json", j, "serving.autoscaling.min_replicas");
  j = load(kDay);
  j["serving"]["arrivals"]["kind"] = "gamma";
  j["serving"]["arrivals"]["cv"] = 2;
  refused("gamma.json", j, "serving.arrivals.daily_cycle");
  j = load(kDay);
  j["serving"]["spot"]["notice_s"] = -1;
  refused("notice.json", j, "serving.spot.notice_s");
  j = load(kDay);
  j["serving"]["autoscaling"]["policy"] = "cpu";
  refused("policy.json", j, "serving.autoscaling.policy");
}
