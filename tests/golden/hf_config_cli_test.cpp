// `model.hf_config` through the real binary: the shipped example (Llama 3.1 8B's config.json)
// simulates to exactly what the llama3-8b preset does, a bad config exits 3 with one line naming
// the config file and its key, and a missing one exits 5 naming its path.
#include <algorithm>
#include <catch2/catch.hpp>
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

const std::string kExample = source_path("scenarios/examples/llama3-8b-hf-config.json");

// Everything after the first line (the scenario's name).
std::string after_title(const std::string& out) { return out.substr(out.find('\n') + 1); }

}  // namespace

TEST_CASE("simulate: a config.json model steps as its preset does", "[golden][hf]") {
  const auto from_config = run_cli("simulate " + kExample);
  INFO(from_config.err);
  REQUIRE(from_config.status == 0);
  const std::string preset_file = scratch_dir() + "/llama3-8b-preset.json";
  write_text(preset_file,
             cirrus::testing::with_value(slurp(kExample), "/model", {{"preset", "llama3-8b"}}));
  const auto from_preset = run_cli("simulate " + preset_file);
  REQUIRE(from_preset.status == 0);
  CHECK(from_config.out.find("step time") != std::string::npos);
  CHECK(after_title(from_config.out) == after_title(from_preset.out));

  // The JSON result too, step time first.
  const auto a = nlohmann::json::parse(run_cli("simulate " + kExample + " --format json").out);
  const auto b = nlohmann::json::parse(run_cli("simulate " + preset_file + " --format json").out);
  CHECK(a.at("step_time_s") == b.at("step_time_s"));
}

TEST_CASE("simulate: a bad config.json exits 3 naming the file and key; a missing one exits 5",
          "[golden][hf]") {
  const std::string dir = scratch_dir();
  const std::string config = dir + "/bad-config.json";
  write_text(config, cirrus::testing::with_value(
                         slurp(source_path("scenarios/examples/hf/llama-3.1-8b-config.json")),
                         "/num_hidden_layers", "32"));
  const std::string scenario = dir + "/hf-bad.json";
  write_text(scenario,
             cirrus::testing::with_value(slurp(kExample), "/model/hf_config", "bad-config.json"));
  const auto bad = run_cli("simulate " + scenario);
  CHECK(bad.status == 3);
  CHECK(bad.err == "cirrus: " + config +
                       ": num_hidden_layers: expected an integer, found the string \"32\"\n");

  write_text(scenario,
             cirrus::testing::with_value(slurp(kExample), "/model/hf_config", "absent.json"));
  const auto missing = run_cli("simulate " + scenario);
  CHECK(missing.status == 5);
  CHECK(missing.err.find(dir + "/absent.json: cannot read") != std::string::npos);
  CHECK(std::count(missing.err.begin(), missing.err.end(), '\n') == 1);
}
