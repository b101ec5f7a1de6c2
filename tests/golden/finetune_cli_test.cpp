// training.finetune through the binary: the shipped QLoRA example simulates on one node and says
// what it trains, LoRA beats full training at the same strategy, bad input exits 3 naming the
// JSON path, and `cirrus presets finetune` lists the recipes with their sources.
#include <algorithm>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/golden/cli_support.hpp"

using cirrus::testing::run_cli;
using cirrus::testing::scratch_dir;
using cirrus::testing::source_path;
using cirrus::testing::write_text;

namespace {

// Llama 2 7B on one DGX H100, dp 8 under ZeRO-3 (FSDP), with `finetune` (a JSON value, or empty for
// none).
std::string scenario(const std::string& finetune, const std::string& precision = "bf16") {
  return R"({
  "cirrus": 1, "name": "llama2-7b finetune",
  "model": {"preset": "llama2-7b"},
  "training": {"global_batch": 64, "precision": ")" +
         precision + "\"" + (finetune.empty() ? "" : ", \"finetune\": " + finetune) + R"(},
  "cluster": {"node": "dgx-h100", "nodes": 1},
  "strategy": {"tp": 1, "pp": 1, "dp": 8, "micro_batch": 2, "recompute": "full", "zero": 3}
})";
}

nlohmann::json simulate_json(const std::string& text, const std::string& name) {
  const std::string file = scratch_dir() + "/" + name + ".json";
  write_text(file, text);
  const auto r = run_cli("simulate " + file + " --format json");
  INFO(r.err);
  REQUIRE(r.status == 0);
  return nlohmann::json::parse(r.out);
}

void expect_exit_3(const std::string& finetune, const std::string& path, const std::string& says,
                   const std::string& precision = "bf16") {
  const std::string file = scratch_dir() + "/finetune-bad.json";
  write_text(file, scenario(finetune, precision));
  const auto r = run_cli("simulate " + file);
  INFO(r.err);
  CHECK(r.status == 3);
  CHECK(r.out.empty());
  CHECK(r.err.rfind("cirrus: " + file + ": " + path, 0) == 0);
  CHECK(r.err.find(says) != std::string::npos);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}

}  // namespace

TEST_CASE("finetune: the shipped QLoRA example simulates on one node and says what it trains",
          "[golden][finetune]") {
  const std::string file = source_path("scenarios/examples/llama3-8b-qlora.json");
  const auto table = run_cli("simulate " + file);
  INFO(table.err);
  REQUIRE(table.status == 0);
  // Llama 3 8B, r 64 on all 7 matrices: 32 x 5,242,880 = 167,772,160 trainable parameters.
  CHECK_THAT(table.out,
             Catch::Contains("  finetune  qlora (qlora-r64-all-linear) r 64 on "
                             "q,k,v,o,gate,up,down, frozen base 4-bit (4.127 bits/param), "
                             "167.8M trainable of 8.0B parameters\n"));
  CHECK_THAT(table.out, Catch::Contains("  of which frozen base weights "));
  CHECK_THAT(table.out, Catch::Contains("are dequantized to 16 bits before every GEMM"));

  const auto r = run_cli("simulate " + file + " --format json");
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["feasible"] == true);
  const auto& f = j["finetune"];
  CHECK(f["method"] == "qlora");
  CHECK(f["preset"] == "qlora-r64-all-linear");
  CHECK(f["rank"] == 64);
  CHECK(f["targets"] == "q,k,v,o,gate,up,down");
  CHECK(f["base_bits"] == 4);
  CHECK(f["trainable_params"] == 167772160.0);
  // Frozen: 32 x 218,103,808 GEMM weights at 4.127 bits + 2 x 128256 x 4096 embedding rows and
  // 65 norms x 4096 in bf16 = 3.600e9 + 2.102e9 bytes = 5.31 GiB.
  const double frozen =
      (32.0 * 218103808 * 4.126953125 / 8.0 + 2.0 * (2.0 * 128256 * 4096 + 65.0 * 4096)) /
      (1024.0 * 1024 * 1024);
  CHECK(j["memory_gib"]["frozen_weights"].get<double>() == Approx(frozen).epsilon(1e-3));
  // Adapters: 167,772,160 x (4 + 4 + 8) bytes = 2.5 GiB.
  CHECK(j["memory_gib"]["trainable_states"].get<double>() ==
        Approx(167772160.0 * 16 / (1024.0 * 1024 * 1024)).epsilon(1e-3));
  // The same bytes every time.
  CHECK(run_cli("simulate " + file + " --format json").out == r.out);
}

TEST_CASE("finetune: LoRA is faster and smaller than full training, full keeps its shape",
          "[golden][finetune]") {
  const auto full = simulate_json(scenario(""), "full");
  const auto lora = simulate_json(scenario("\"lora-r16-qv\""), "lora");
  const auto spelled = simulate_json(
      scenario(R"({"method": "lora", "rank": 16, "alpha": 32, "targets": ["q", "v"]})"), "spelled");
  CHECK(lora["step_time_s"].get<double>() < full["step_time_s"].get<double>());
  CHECK(lora["memory_gib"]["total"].get<double>() < full["memory_gib"]["total"].get<double>());
  CHECK(lora["finetune"]["trainable_params"] == 8388608.0);  // 32 x 2 x 16 x 8192
  // A recipe spelled out is the preset, less its name.
  CHECK(spelled["step_time_s"] == lora["step_time_s"]);
  CHECK(spelled["finetune"]["preset"].is_null());
  // Full training: no finetune key, no new memory keys (the contract's shape).
  CHECK(!full.contains("finetune"));
  CHECK(!full["memory_gib"].contains("frozen_weights"));
  const auto explicit_full = simulate_json(scenario("\"full\""), "explicit-full");
  CHECK(explicit_full["step_time_s"] == full["step_time_s"]);
}

TEST_CASE("finetune: bad input exits 3 naming the JSON path", "[golden][finetune]") {
  expect_exit_3("\"qlora-r64-all-linaer\"", "training.finetune",
                "did you mean 'qlora-r64-all-linear'");
  expect_exit_3(R"({"method": "lora", "rank": 16})", "training.finetune.targets", "all-linear");
  expect_exit_3(R"({"method": "lora", "targets": ["q", "x"]})", "training.finetune.targets[1]",
                "gate");
  expect_exit_3(R"({"method": "qlora", "targets": "attention", "base_bits": 16})",
                "training.finetune.base_bits", "4 or 8");
  expect_exit_3(R"({"method": "full", "rank": 8})", "training.finetune.rank", "full");
  expect_exit_3("\"lora-r16-qv\"", "training.finetune", "fp8", "fp8");
}

TEST_CASE("presets finetune: the recipes with their sources", "[golden][finetune][presets]") {
  const auto r = run_cli("presets finetune");
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Catch::StartsWith("finetune\nrecipe "));
  CHECK_THAT(r.out, Catch::Contains("qlora-r64-all-linear  qlora     64  q,k,v,o,gate,up,down"));
  CHECK_THAT(r.out, Catch::Contains("arXiv:2305.14314"));
  CHECK_THAT(r.out, Catch::Contains("arXiv:2106.09685"));
  const auto j = nlohmann::ordered_json::parse(run_cli("presets finetune --format json").out);
  const auto& q = j["finetune"][4];
  CHECK(q.dump().rfind(R"({"id":"qlora-r64-all-linear","method":"qlora","rank":64,)", 0) == 0);
  CHECK(q["base_bits"] == 4);
  CHECK(j["finetune"][1]["base_bits"].is_null());  // LoRA: the training precision's
}
