// `cirrus elastic` resolves its job like every other command (app/job.hpp): its steps are timed
// with the scenario's profile. Before app/, elastic assembled its own input and its output did
// not move with cluster.profile.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/golden/cli_support.hpp"

using cirrus::testing::run_cli;
using cirrus::testing::scratch_dir;
using cirrus::testing::slurp;
using cirrus::testing::source_path;
using cirrus::testing::write_text;

TEST_CASE("elastic: the scenario's profile times its steps, as in simulate", "[golden][elastic]") {
  const std::string example = source_path("scenarios/examples/llama3-70b-spot-elastic.json");
  nlohmann::json s = nlohmann::json::parse(slurp(example));
  s["cluster"]["profile"] = source_path("calibrate/profiles/public/vidur-h100-sxm.json");
  const std::string with_profile = scratch_dir() + "/elastic-with-profile.json";
  write_text(with_profile, s.dump(2));

  const auto named = run_cli("elastic " + with_profile + " --format json --no-public-profile");
  const auto datasheet = run_cli("elastic " + example + " --format json --no-public-profile");
  REQUIRE(named.status == 0);
  REQUIRE(datasheet.status == 0);
  const auto a = nlohmann::json::parse(named.out);
  const auto b = nlohmann::json::parse(datasheet.out);
  CHECK(a["calibration"] != b["calibration"]);
  CHECK(b["calibration"] == "datasheet");
  // The measured kernels are slower than the datasheet's peaks: the fixed run takes longer.
  CHECK(a["fixed_on_demand"]["hours"].get<double>() > b["fixed_on_demand"]["hours"].get<double>());

  // And simulate agrees on the step the elastic run starts from.
  const auto sim = run_cli("simulate " + with_profile + " --format json --no-public-profile");
  REQUIRE(sim.status == 0);
  const double step = nlohmann::json::parse(sim.out)["step_time_s"].get<double>();
  CHECK(a["phases"][0]["step_time_s"].get<double>() == Approx(step).epsilon(1e-6));
}
