// The calibration profile end to end: a scenario's `cluster.profile` reaches the simulator
// (its assumptions say how many kernels it timed), a profile of another GPU or a missing file
// is refused naming cluster.profile, and `cirrus validate` on a measured-step dataset prints
// the datasheet and the profile predictions side by side.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/golden/cli_support.hpp"

using cirrus::testing::run_cli;
using cirrus::testing::scratch_dir;
using cirrus::testing::source_path;
using cirrus::testing::write_text;

namespace {

std::string scenario_with_profile(const std::string& node, const std::string& profile) {
  return R"({"cirrus": 1, "name": "profiled",
    "model": {"preset": "llama2-7b", "layers": 4},
    "training": {"global_batch": 8},
    "cluster": {"node": ")" +
         node + R"(", "nodes": 1, "profile": ")" + profile + R"("},
    "strategy": {"tp": 8, "micro_batch": 1, "sequence_parallel": true}})";
}

const std::string kProfile = source_path("tests/data/calibrate/profile_fixture.json");

}  // namespace

TEST_CASE("simulate reads the scenario's profile and says what it timed from it",
          "[golden][cli][calibration]") {
  const std::string file = scratch_dir() + "/profiled.json";
  write_text(file, scenario_with_profile("dgx-h100", kProfile));
  const auto r = run_cli("simulate " + file + " --format json");
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["calibrated"] == false);  // the fixture covers few shapes and no collectives
  bool said = false;
  for (const auto& a : j["assumptions"]) {
    said |= a.get<std::string>().find("timed from the calibration profile") != std::string::npos;
  }
  CHECK(said);
}

TEST_CASE("a profile of another GPU or a missing one is refused at cluster.profile",
          "[golden][cli][calibration]") {
  const std::string file = scratch_dir() + "/wrong-gpu.json";
  write_text(file, scenario_with_profile("dgx-a100-80gb", kProfile));
  auto r = run_cli("simulate " + file);
  CHECK(r.status == 3);
  CHECK(r.err.find("cluster.profile") != std::string::npos);
  CHECK(r.err.find("h100-sxm") != std::string::npos);
  CHECK(r.out.empty());

  write_text(file, scenario_with_profile("dgx-h100", "no/such/profile.json"));
  r = run_cli("simulate " + file);
  CHECK(r.status == 3);
  CHECK(r.err.find("cluster.profile") != std::string::npos);
  CHECK(r.err.find("does not exist") != std::string::npos);
}

TEST_CASE("validate compares measured steps with and without the profile",
          "[golden][cli][calibration]") {
  const std::string data = source_path("tests/data/calibrate/measured_steps_fixture.json");
  const auto r = run_cli("validate " + data + " --profile " + kProfile + " --format json");
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  REQUIRE(j["rows"].size() == 2);
  for (const auto& row : j["rows"]) {
    CHECK(row.contains("datasheet_s"));
    CHECK(row.contains("profile_s"));
    // The fixture's measured rates differ from the datasheet defaults: the profile moves it.
    CHECK(row["profile_s"] != row["datasheet_s"]);
  }
  CHECK(j.contains("mape_datasheet"));
  CHECK(j.contains("mape_profile"));

  // Neither a profile given nor one shipped for the GPU, and the public default turned off.
  const auto plain = run_cli("validate " + data + " --no-public-profile");
  CHECK(plain.status == 0);
  CHECK(plain.out.find("datasheet column alone") != std::string::npos);
}

TEST_CASE("collective --profile takes the measured busbw inside its range only",
          "[golden][cli][calibration]") {
  const auto r = run_cli(
      "collective --node dgx-h100 --op all_reduce --sizes 1M,1G --format json "
      "--profile " +
      kProfile);
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  REQUIRE(j.size() == 2);
  // 1 MiB on 8 ranks of one node is a measured point of the fixture: 25.0972 us.
  CHECK(j[0]["time_us"].get<double>() == Approx(25.0972).epsilon(0.001));
  CHECK(j[0]["protocol"] == "profile");
  // 1 GiB is beyond its largest size (256 MiB): the tuner's figure, labelled by protocol.
  CHECK(j[1]["protocol"] != "profile");

  const auto wrong = run_cli(
      "collective --node dgx-a100-80gb --op all_reduce --sizes 1M "
      "--profile " +
      kProfile);
  CHECK(wrong.status == 3);
  CHECK(wrong.err.find("h100-sxm") != std::string::npos);
}
