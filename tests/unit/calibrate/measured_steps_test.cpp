// scenarios/measured_steps.hpp: a dataset of single-GPU PyTorch steps reads into simulator
// inputs (one GPU, no parallelism) with the measured times; malformed datasets are refused
// naming the JSON path.
#include "scenarios/measured_steps.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "common/input_error.hpp"
#include "common/read_file.hpp"
#include "models/step/simulate.hpp"

namespace {

using cirrus::InputError;
using cirrus::scenarios::load_measured_steps;
using cirrus::scenarios::parse_measured_steps;
using nlohmann::json;

const std::string kFixture =
    std::string(CIRRUS_SOURCE_DIR) + "/tests/data/calibrate/measured_steps_fixture.json";

std::string error_path(const std::string& pointer, const json& value) {
  json j = json::parse(cirrus::read_file(kFixture));
  j[json::json_pointer(pointer)] = value;
  try {
    parse_measured_steps(j.dump(), "steps.json");
  } catch (const InputError& e) {
    CHECK(e.file() == "steps.json");
    return e.path();
  }
  return "";
}

}  // namespace

TEST_CASE("measured steps read into single-GPU simulator inputs", "[calibrate]") {
  const auto set = load_measured_steps(kFixture);
  CHECK(set.gpu == "h100-sxm");
  CHECK(set.node == "dgx-h100");
  CHECK(set.software.find("torch 2.11.0+cu130") != std::string::npos);
  REQUIRE(set.rows.size() == 2);

  const auto& gpt = set.rows[0];
  CHECK(gpt.id == "gpt-1.3b");
  CHECK(gpt.measured_step_s == 0.352);
  CHECK(gpt.samples.size() == 5);
  const auto& in = gpt.input;
  CHECK(in.model.layers == 24);
  CHECK(in.model.hidden == 2048);
  CHECK(in.model.tied_embeddings);
  CHECK(in.model.ffn == cirrus::models::FfnKind::kGelu);
  CHECK(in.training.global_batch == 8);
  CHECK(in.training.precision == cirrus::models::Precision::kBf16);
  CHECK(in.strategy.tp == 1);
  CHECK(in.strategy.pp == 1);
  CHECK(in.strategy.dp == 1);
  CHECK(in.strategy.micro_batch == 8);
  CHECK(in.strategy.attention == cirrus::models::AttentionKernel::kFlash);
  CHECK(in.cluster.gpus() == 1);
  CHECK(in.cluster.node.gpu.id == "h100-sxm");

  const auto& llama = set.rows[1];
  CHECK(llama.input.model.kv_heads == 8);
  CHECK(llama.input.model.ffn == cirrus::models::FfnKind::kSwiglu);
  CHECK(llama.input.model.seq_len == 8192);
  CHECK_FALSE(llama.input.model.tied_embeddings);
}

TEST_CASE("measured-step rows are runnable by the simulator", "[calibrate]") {
  for (const auto& row : load_measured_steps(kFixture).rows) {
    INFO(row.id);
    const auto r = cirrus::models::simulate_step(row.input);
    CHECK(r.feasible);
    CHECK(std::isfinite(r.step_time_s));
    CHECK(r.step_time_s > 0);
  }
}

TEST_CASE("malformed measured-step datasets name the JSON path", "[calibrate]") {
  CHECK(error_path("/rows/0/global_batch", 16) == "rows[0].global_batch");
  CHECK(error_path("/rows/0/model/ffn", "relu") == "rows[0].model.ffn");
  CHECK(error_path("/rows/0/model/kv_heads", 5) == "rows[0].model.kv_heads");
  CHECK(error_path("/rows/1/timed_steps", 4) == "rows[1].timed_steps");
  CHECK(error_path("/rows/1/step_s", 0) == "rows[1].step_s");
  CHECK(error_path("/rows/1/speed", 1) == "rows[1].speed");
  CHECK(error_path("/device/node", "dgx-a100-80gb") == "device.node");
  CHECK(error_path("/device/gpu", "h100") == "device.gpu");
  CHECK(error_path("/rows", json::array()) == "rows");
  CHECK(error_path("/cirrus_measured_steps", 2) == "cirrus_measured_steps");
}
