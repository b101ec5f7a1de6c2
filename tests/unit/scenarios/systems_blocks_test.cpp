// The systems blocks of a scenario (strategy.offload, elastic, inference): values read, and
// every refusal names the JSON path to fix.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "../../golden/cli_support.hpp"
#include "common/input_error.hpp"
#include "scenarios/scenario.hpp"
#include "tests/json_edit.hpp"

namespace {

using cirrus::InputError;
using nlohmann::json;

json change(double at, int nodes) { return json{{"at_hours", at}, {"nodes", nodes}}; }
using cirrus::scenarios::parse_scenario;

const std::string kFile = "tests/fake-systems.json";

const char* const kBase = R"({
  "cirrus": 1,
  "model": { "preset": "llama2-7b" },
  "training": { "global_batch": 64, "tokens": 1e9 },
  "cluster": { "node": "dgx-h100", "nodes": 4 },
  "strategy": { "tp": 8, "dp": 4 }
})";

std::string with(const std::string& pointer, const json& value) {
  return cirrus::testing::with_value(kBase, pointer, value);
}

std::string error_path(const std::string& text) {
  try {
    parse_scenario(text, kFile);
  } catch (const InputError& e) {
    return e.path();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("systems blocks: offload, elastic and inference are read", "[scenarios][offload]") {
  json j = json::parse(kBase);
  j["strategy"]["offload"] = {{"params", "nvme"},
                              {"optimizer", "host"},
                              {"prefetch_layers", 2},
                              {"prefetch_experts", 4},
                              {"fused_comm", true}};
  j["elastic"] = json::object();
  j["elastic"]["schedule"] = json::array({change(0, 4), change(10, 2)});
  j["elastic"]["reshard_gbyte_per_s"] = 2.5;
  j["inference"] = {{"batch", json::array({1, 8})}, {"prompt_tokens", 256}, {"gpu_sections", 3}};
  const auto s = parse_scenario(j.dump(), kFile);
  const auto st = s.pinned_strategy();
  CHECK(st.offload.params == cirrus::models::Tier::kNvme);
  CHECK(st.offload.optimizer == cirrus::models::Tier::kHost);
  CHECK(st.offload.prefetch_layers == 2);
  CHECK(st.offload.prefetch_experts == 4);
  CHECK(st.offload.fused_comm);
  REQUIRE(s.elastic);
  CHECK(s.elastic->schedule.size() == 2);
  CHECK(s.elastic->storage_bw_per_node == Approx(2.5e9));
  REQUIRE(s.inference);
  CHECK(s.inference->batch == std::vector<int>{1, 8});
  CHECK(s.inference->prompt_tokens == 256);
  CHECK(s.inference->output_tokens == 128);
  CHECK(s.inference->gpu_sections == 3);
}

TEST_CASE("systems blocks: bad values name their JSON path", "[scenarios][offload]") {
  CHECK(error_path(with("/strategy/offload", {{"params", "ssd"}, {"optimizer", "host"}})) ==
        "strategy.offload.params");
  CHECK(error_path(with("/strategy/offload", {{"optimizer", "host"}, {"prefetch_layers", -1}})) ==
        "strategy.offload.prefetch_layers");
  CHECK(error_path(with("/strategy/offload", {{"optimizer", "host"}, {"prefetch_experts", -2}})) ==
        "strategy.offload.prefetch_experts");
  CHECK(error_path(with("/strategy/offload", {{"params", "host"}})) == "strategy.offload.params");
  CHECK(error_path(
            with("/elastic/schedule", json::array({change(0, 4), change(5, 2), change(3, 4)}))) ==
        "elastic.schedule[2].at_hours");
  CHECK(error_path(with("/elastic/schedule", json::array({change(1, 4)}))) ==
        "elastic.schedule[0].at_hours");
  CHECK(error_path(with("/inference", {{"gpu_sections", 0}})) == "inference.gpu_sections");
  CHECK(error_path(with("/inference", {{"batch", json::array()}})) == "inference.batch");
}

TEST_CASE("cirrus serve and elastic: bad input exits 3 naming the path", "[scenarios][cli]") {
  using namespace cirrus::testing;
  const std::string bad = scratch_dir() + "/serve_bad.json";
  write_text(bad, with("/inference", {{"gpu_sections", 0}}));
  CliRun r = run_cli("serve " + bad);
  CHECK(r.status == 3);
  CHECK_THAT(r.err, Catch::Contains("inference.gpu_sections"));
  const std::string ok = scratch_dir() + "/serve_ok.json";
  write_text(ok, with("/inference/batch", json::array({1, 4})));
  r = run_cli("serve " + ok + " --format csv");
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK_THAT(r.out, Catch::StartsWith("batch,applies"));
  CHECK_THAT(r.out, Catch::Contains("\n4,resident,"));
  const std::string el = scratch_dir() + "/elastic_bad.json";
  write_text(el, with("/elastic/schedule", json::array({change(0, 4), change(0, 2)})));
  r = run_cli("elastic " + el);
  CHECK(r.status == 3);
  CHECK_THAT(r.err, Catch::Contains("elastic.schedule[1].at_hours"));
}
