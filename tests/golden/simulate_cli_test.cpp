// End-to-end behaviour of `cirrus simulate` and `cirrus validate` through the real binary:
// exit statuses, one-line errors naming file and JSON path, nothing half-written, byte-identical
// reruns, and the golden results of the shipped scenarios.
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/golden/cli_support.hpp"

using cirrus::testing::run_cli;
using cirrus::testing::scratch_dir;
using cirrus::testing::slurp;
using cirrus::testing::source_path;
using cirrus::testing::write_text;

namespace {

const char* kGood = R"({
  "cirrus": 1, "name": "small",
  "model": {"preset": "llama2-7b", "layers": 8},
  "training": {"global_batch": 64},
  "cluster": {"node": "dgx-a100-80gb", "nodes": 1},
  "strategy": {"tp": 2, "pp": 2, "dp": 2, "micro_batch": 1, "sequence_parallel": true}
})";

std::string with(const std::string& from, const std::string& to) {
  std::string s = kGood;
  const auto pos = s.find(from);
  REQUIRE(pos != std::string::npos);
  s.replace(pos, from.size(), to);
  return s;
}

// Writes the scenario, runs simulate with -o, and checks the error contract.
void expect_bad_input(const std::string& text, const std::string& path_fragment) {
  const std::string file = scratch_dir() + "/bad.json";
  const std::string out = scratch_dir() + "/should-not-exist.json";
  std::filesystem::remove(out);
  write_text(file, text);
  const auto r = run_cli("simulate " + file + " --format json -o " + out);
  INFO(r.err);
  CHECK(r.status == 3);
  CHECK(r.err.rfind("cirrus: " + file + ":", 0) == 0);
  CHECK(r.err.find(path_fragment) != std::string::npos);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK_FALSE(std::filesystem::exists(out));
}

}  // namespace

TEST_CASE("simulate prints a table and JSON whose breakdown sums to the step time",
          "[golden][cli]") {
  const std::string file = scratch_dir() + "/good.json";
  write_text(file, kGood);
  // The datasheet path, explicitly: this test is about the output's shape, not calibration.
  const auto table = run_cli("simulate " + file + " --no-public-profile");
  INFO(table.err);
  REQUIRE(table.status == 0);
  CHECK(table.out.find("step time") != std::string::npos);
  CHECK(table.out.find("calibrated: no") != std::string::npos);
  CHECK(table.out.find("calibration: datasheet") != std::string::npos);

  const auto r = run_cli("simulate " + file + " --format json --no-public-profile");
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["feasible"] == true);
  double sum = 0;
  for (const auto& [k, v] : j["breakdown_s"].items()) sum += v.get<double>();
  const double step = j["step_time_s"].get<double>();
  CHECK(step > 0);
  CHECK(std::abs(sum - step) <= 0.01 * step);
  CHECK(j["config"]["gpus"] == 8);
  CHECK(j["calibrated"] == false);
  CHECK_FALSE(j["assumptions"].empty());
  // The caching allocator's share of the peak: below the total by the runtime outside it.
  const auto& mem = j["memory_gib"];
  CHECK(mem["reserved"].get<double>() > 0);
  CHECK(mem["reserved"].get<double>() < mem["total"].get<double>());

  const auto csv = run_cli("simulate " + file + " --format csv");
  REQUIRE(csv.status == 0);
  CHECK(std::count(csv.out.begin(), csv.out.end(), '\n') == 2);
}

TEST_CASE("the same scenario twice gives byte-identical output", "[golden][cli][determinism]") {
  const std::string scenario = source_path("scenarios/examples/gpt3-175b-p4de.json");
  const auto a = run_cli("simulate " + scenario + " --format json");
  const auto b = run_cli("simulate " + scenario + " --format json");
  REQUIRE(a.status == 0);
  CHECK(a.out == b.out);
}

TEST_CASE("simulate -o writes the file atomically", "[golden][cli]") {
  const std::string file = scratch_dir() + "/good.json";
  const std::string out = scratch_dir() + "/result.json";
  write_text(file, kGood);
  std::filesystem::remove(out);
  const auto r = run_cli("simulate " + file + " --format json -o " + out);
  REQUIRE(r.status == 0);
  CHECK(r.out.empty());
  CHECK(nlohmann::json::parse(slurp(out))["feasible"] == true);
}

TEST_CASE("bad scenarios fail with one line naming file and JSON path", "[golden][cli][errors]") {
  SECTION("malformed JSON") { expect_bad_input("{\"cirrus\": 1, ", "JSON"); }
  SECTION("wrong type") {
    expect_bad_input(with("\"nodes\": 1", "\"nodes\": \"one\""), "cluster.nodes");
  }
  SECTION("zero size") { expect_bad_input(with("\"layers\": 8", "\"layers\": 0"), "model.layers"); }
  SECTION("negative size") {
    expect_bad_input(with("\"global_batch\": 64", "\"global_batch\": -64"),
                     "training.global_batch");
  }
  SECTION("tp x pp x dp x cp differs from the GPU count") {
    expect_bad_input(with("\"dp\": 2", "\"dp\": 4"), "strategy");
  }
  SECTION("heads not divisible by tp") {
    expect_bad_input(with("\"layers\": 8", "\"layers\": 8, \"heads\": 33, \"hidden\": 4224"),
                     "strategy.tp");
  }
  SECTION("more pipeline stages than layers") {
    expect_bad_input(with("\"layers\": 8", "\"layers\": 1"), "strategy.pp");
  }
  SECTION("global batch not divisible by dp x micro-batch") {
    expect_bad_input(with("\"global_batch\": 64", "\"global_batch\": 63"), "training.global_batch");
  }
  SECTION("unknown preset") {
    expect_bad_input(with("\"llama2-7b\"", "\"llama2-7\""), "model.preset");
  }
  SECTION("unknown key with a suggestion") {
    const std::string file = scratch_dir() + "/bad.json";
    write_text(file, with("\"micro_batch\"", "\"micro_bath\""));
    const auto r = run_cli("simulate " + file);
    CHECK(r.status == 3);
    CHECK(r.err.find("strategy.micro_bath") != std::string::npos);
    CHECK(r.err.find("did you mean 'micro_batch'") != std::string::npos);
  }
  SECTION("an open choice") {
    expect_bad_input(with("\"tp\": 2", "\"tp\": [1, 2]"), "strategy.tp");
  }
}

TEST_CASE("a missing scenario file is an I/O error", "[golden][cli][errors]") {
  const auto r = run_cli("simulate " + scratch_dir() + "/does-not-exist.json");
  CHECK(r.status == 5);
  CHECK(r.err.find("does-not-exist.json") != std::string::npos);
}

TEST_CASE("an out-of-memory configuration prints feasible false and exits 4", "[golden][cli]") {
  const std::string file = scratch_dir() + "/oom.json";
  write_text(file, R"({"cirrus": 1, "name": "70B on one GPU",
    "model": {"preset": "llama2-70b"}, "training": {"global_batch": 8},
    "cluster": {"node": "dgx-a100-80gb", "nodes": 1},
    "strategy": {"tp": 1, "pp": 1, "dp": 8}})");
  const auto r = run_cli("simulate " + file + " --format json");
  CHECK(r.status == 4);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["feasible"] == false);
  CHECK(j["infeasible_reason"].get<std::string>().find("out of memory") != std::string::npos);
}

TEST_CASE("validate reproduces Megatron SC'21 Table 1 within 10% MAPE", "[golden][validation]") {
  const auto r = run_cli("validate --format json");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["rows"].size() == 10);
  CHECK(j["mape"].get<double>() <= 0.10);
  // Every row reports its assumption context and a signed error.
  for (const auto& row : j["rows"]) CHECK(row.contains("error"));
  CHECK_FALSE(j["assumptions"].empty());
}

TEST_CASE("validate on Korthikanti et al. 2022 Table 5, held apart from any constant",
          "[golden][validation]") {
  // Eight rows (22B to 1T; full recomputation vs sequence parallelism + selective), stated
  // setup and published step times in seconds. Nothing in cirrus was set from them.
  // Datasheet figures (--no-public-profile): the published comparison this test was set on.
  // With the public A100 profile the MAPE is 13% (every row slower): docs/CONTRACT.md.
  const auto r = run_cli("validate " + source_path("data/validation/korthikanti_2022_table5.json") +
                         " --format json --no-public-profile");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  REQUIRE(j["rows"].size() == 8);
  CHECK(j["mape"].get<double>() <= 0.10);
  // Selective recomputation with sequence parallelism must beat full recomputation on every
  // model, as the paper reports (29-32% faster): the setup's per-row keys reach the model.
  for (std::size_t i = 0; i + 1 < j["rows"].size(); i += 2) {
    CHECK(j["rows"][i + 1]["predicted_s"].get<double>() <
          0.85 * j["rows"][i]["predicted_s"].get<double>());
  }
  CHECK(j["assumptions"].size() == 6);
}

TEST_CASE("validate datasets: setup keys and rows are checked, naming file and path",
          "[golden][validation]") {
  // A dataset in the general form: a setup for all rows, a row overriding it, a step time
  // given directly. One row: 2 x DGX H100, tp 8, dp 2, a 1.3B GPT; bf16 with flash attention.
  const std::string good = R"({"title": "t", "source": "s",
    "setup": {"node": "dgx-h100", "precision": "bf16", "attention": "flash", "zero": 1,
              "overlap": {"dp": true}},
    "rows": [{"record_id": "r1", "layers": 24, "hidden": 2048, "heads": 16, "ffn_hidden": 8192,
              "seq_len": 2048, "vocab": 51200, "global_batch": 64, "tp": 8, "pp": 1, "dp": 2,
              "gpus": 16, "recompute": "none", "step_time_s": 1.0}]})";
  const std::string file = scratch_dir() + "/dataset.json";
  write_text(file, good);
  const auto ok = run_cli("validate " + file + " --format json");
  INFO(ok.err);
  REQUIRE(ok.status == 0);
  const auto j = nlohmann::json::parse(ok.out);
  CHECK(j["rows"][0]["gpus"] == 16);
  CHECK(j["rows"][0]["published_s"].get<double>() == 1.0);
  CHECK(j["assumptions"].empty());  // a setup without "assumed" lines claims none

  auto bad = [&](const std::string& from, const std::string& to, const std::string& where) {
    std::string text = good;
    const auto pos = text.find(from);
    REQUIRE(pos != std::string::npos);
    text.replace(pos, from.size(), to);
    write_text(file, text);
    const auto r = run_cli("validate " + file);
    CHECK(r.status == 3);
    CHECK(r.err.find("dataset.json") != std::string::npos);
    CHECK(r.err.find(where) != std::string::npos);
  };
  bad("\"recompute\": \"none\"", "\"recompte\": \"none\"", "rows[0].recompte");
  bad("\"node\": \"dgx-h100\"", "\"node\": \"dgx-h900\"", "setup.node");
  bad("\"step_time_s\": 1.0", "\"step_time_s\": 0", "rows[0].step_time_s");
  bad("\"zero\": 1", "\"zero\": 5", "setup.zero");
  bad("\"gpus\": 16", "\"gpus\": 8", "rows[0].gpus");
}
