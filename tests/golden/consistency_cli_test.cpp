// What the README and the contract promise, through the real binary (issue 15, item 5): every
// strategy field may be "auto", ids typed as users type them get a did-you-mean, nccl-tests
// logs of two GPU models are not merged, every file in data/validation/ is a dataset validate
// reads, and exit statuses follow the contract's table.
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/golden/cli_support.hpp"
#include "tests/json_edit.hpp"

using cirrus::testing::run_cli;
using cirrus::testing::scratch_dir;
using cirrus::testing::slurp;
using cirrus::testing::source_path;
using cirrus::testing::write_text;

namespace {

const std::string kPlan = source_path("scenarios/regression/plan-committed-1y-a100.json");

bool has(const std::string& s, const std::string& what) {
  return s.find(what) != std::string::npos;
}

}  // namespace

TEST_CASE("strategy.dp \"auto\" plans as dp left out", "[golden][consistency]") {
  // Before: "strategy.dp: expected at least one candidate value, found an empty list".
  const std::string file = scratch_dir() + "/dp-auto.json";
  write_text(file,
             cirrus::testing::without_key(
                 cirrus::testing::with_value(slurp(kPlan), "/strategy/dp", "auto"), "/expect"));
  const auto with_auto = run_cli("plan " + file + " --format json --no-progress");
  INFO(with_auto.err);
  REQUIRE(with_auto.status == 0);
  const std::string left_out = scratch_dir() + "/dp-left-out.json";
  write_text(left_out, cirrus::testing::without_key(slurp(kPlan), "/expect"));
  const auto without = run_cli("plan " + left_out + " --format json --no-progress");
  REQUIRE(without.status == 0);
  CHECK(nlohmann::json::parse(with_auto.out)["best"] == nlohmann::json::parse(without.out)["best"]);
}

TEST_CASE("an instance id typed without its provider's prefix gets a did-you-mean",
          "[golden][consistency]") {
  const auto show = run_cli("catalog show azure:ND96isr_H100_v5");
  CHECK(show.status == 3);
  CHECK(has(show.err, "did you mean 'azure:Standard_ND96isr_H100_v5'?"));
  const std::string file = scratch_dir() + "/nd-h100.json";
  write_text(file, cirrus::testing::with_value(slurp(kPlan), "/cluster/instance",
                                               "azure:nd96isr_h100_v5"));
  const auto plan = run_cli("plan " + file + " --no-progress");
  CHECK(plan.status == 3);
  CHECK(has(plan.err, "cluster.instance"));
  CHECK(has(plan.err, "did you mean 'azure:Standard_ND96isr_H100_v5'?"));
}

TEST_CASE("nccl-tests logs of two GPU models are not merged into one profile",
          "[golden][consistency]") {
  const std::string out = scratch_dir() + "/mixed-profile.json";
  std::filesystem::remove(out);
  const auto r =
      run_cli("calibrate import-nccl-tests " +
              source_path("tests/data/calibrate/all_reduce_perf_8xa100.log") + " " +
              source_path("tests/data/calibrate/all_gather_perf_2x8xh100.log") + " --out " + out);
  CHECK(r.status == 3);
  CHECK(has(r.err, "all_gather_perf_2x8xh100.log"));
  CHECK(has(r.err, "logs of one GPU model"));
  CHECK(r.err.find('\n') == r.err.size() - 1);  // one line
  CHECK_FALSE(std::filesystem::exists(out));
}

TEST_CASE("every file of data/validation/ is a dataset validate reads", "[golden][consistency]") {
  // Before: `cirrus validate data/validation/nccl_busbw.json` failed on its own shipped file.
  for (const auto& e : std::filesystem::directory_iterator(source_path("data/validation"))) {
    if (!e.is_regular_file() || e.path().extension() != ".json") continue;
    if (e.path().filename() == "residuals.json") continue;  // the error bars' input, not a set
    INFO(e.path().filename().string());
    const auto r = run_cli("validate " + e.path().string() + " --format json");
    CHECK((r.status == 0 || r.status == 4));  // 4: a row refused, still a complete result
    CHECK(r.err.empty());
  }
  const auto nvlink = run_cli("validate " + source_path("data/validation/nccl_1node_nvlink.json"));
  CHECK(has(nvlink.out, "azure_nd_a100_v4_1node_allreduce"));
}

TEST_CASE("exit statuses follow the contract's table", "[golden][consistency]") {
  // 5: a file that cannot be read (missing, or a directory given as a file).
  CHECK(run_cli("simulate " + scratch_dir() + "/no-such-file.json").status == 5);
  CHECK(run_cli("simulate " + scratch_dir()).status == 5);
  // 2: a usage error.
  CHECK(run_cli("simulate").status == 2);
  CHECK(run_cli("check --strict").status == 2);
  // 3: a folder with no scenario in it.
  const std::string empty = scratch_dir() + "/empty-folder";
  std::filesystem::create_directories(empty);
  CHECK(run_cli("check " + empty).status == 3);
  // 1 under --strict: scenarios with nothing to check; 0 without it.
  const std::string unchecked = scratch_dir() + "/unchecked";
  std::filesystem::create_directories(unchecked);
  write_text(unchecked + "/a.json", cirrus::testing::without_key(slurp(kPlan), "/expect"));
  CHECK(run_cli("check " + unchecked).status == 0);
  const auto strict = run_cli("check --strict " + unchecked);
  CHECK(strict.status == 1);
  CHECK(has(strict.err, "1 of 1 scenarios have nothing to check"));
}
