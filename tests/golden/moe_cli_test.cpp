// End-to-end MoE behaviour through the real binary: bad expert-parallel input exits 3 with the
// file and JSON path named, and a pinned MoE scenario reports its all-to-all and straggler.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/golden/cli_support.hpp"

using cirrus::testing::run_cli;
using cirrus::testing::scratch_dir;
using cirrus::testing::write_text;

namespace {

// A 4-layer Mixtral on 2 DGX H100 nodes, tp 1, pp 2, dp 8, ep 8.
std::string moe_scenario(const std::string& moe, const std::string& ep) {
  return R"({
  "cirrus": 1, "name": "small mixtral",
  "model": {"preset": "mixtral-8x7b", "layers": 4, "seq_len": 1024, "moe": )" +
         moe + R"(},
  "training": {"global_batch": 32},
  "cluster": {"node": "dgx-h100", "nodes": 2},
  "strategy": {"tp": 1, "pp": 2, "dp": 8, "ep": )" +
         ep + R"(, "micro_batch": 1, "zero": 1}
})";
}

void expect_exit_3(const std::string& text, const std::string& path, const std::string& says) {
  const std::string file = scratch_dir() + "/moe-bad.json";
  write_text(file, text);
  const auto r = run_cli("simulate " + file + " --format json");
  INFO(r.err);
  CHECK(r.status == 3);
  CHECK(r.err.rfind("cirrus: " + file + ": " + path, 0) == 0);
  CHECK(r.err.find(says) != std::string::npos);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}

}  // namespace

TEST_CASE("bad expert-parallel input is a clear error with exit status 3", "[golden][cli][moe]") {
  // EP dividing dp x cp = 8 but not the experts: 6 experts, ep 4.
  expect_exit_3(moe_scenario(R"({"experts": 6})", "4"), "strategy.ep", "6 experts");
  // EP dividing the experts but not dp x cp: experts 32, ep 16, dp x cp = 8.
  expect_exit_3(moe_scenario(R"({"experts": 32})", "16"), "strategy.ep", "dp x cp");
  expect_exit_3(moe_scenario(R"({"experts": 8, "top_k": 9})", "8"), "model.moe.top_k",
                "number of experts");
  expect_exit_3(moe_scenario(R"({"capacity_factor": 0.8, "drop_tokens": false})", "8"),
                "model.moe.capacity_factor", "drop_tokens is false");
  expect_exit_3(moe_scenario(R"({"popularity": {"zipf": -1}})", "8"), "model.moe.popularity.zipf",
                "0.001 to 100");
  expect_exit_3(moe_scenario(R"({"experts": 8, "top_kk": 2})", "8"), "model.moe.top_kk", "top_k");
}

TEST_CASE("an MoE scenario reports all-to-all, straggler and dropped tokens",
          "[golden][cli][moe]") {
  const std::string file = scratch_dir() + "/moe-good.json";
  write_text(file, moe_scenario(
                       R"({"imbalance": 1.0, "drop_tokens": true, "capacity_factor": 1.25})", "8"));
  const auto r = run_cli("simulate " + file + " --format json");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["breakdown_s"]["ep_comm"].get<double>() > 0);
  CHECK(j["moe"]["straggler_factor"].get<double>() == Approx(1.25));
  // Hottest expert 2 fair shares, capacity 1.25: (2 - 1.25) / 8 experts = 0.09375 dropped.
  CHECK(j["moe"]["dropped_token_fraction"].get<double>() == Approx(0.09375));
  double sum = 0;
  for (const auto& [k, v] : j["breakdown_s"].items()) sum += v.get<double>();
  CHECK(sum == Approx(j["step_time_s"].get<double>()).epsilon(0.01));
  const auto table = run_cli("simulate " + file);
  CHECK(table.out.find("expert all-to-all") != std::string::npos);
  CHECK(table.out.find("straggler") != std::string::npos);
}
