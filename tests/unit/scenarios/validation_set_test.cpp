// Validation datasets (scenarios/validation_set.hpp, collective_validation_set.hpp): the keys
// added for the development sets reach the step input, published figures turn into step times
// as documented, and every refusal names the file and the JSON path.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "common/input_error.hpp"
#include "scenarios/collective_validation_set.hpp"
#include "scenarios/validation_set.hpp"
#include "tests/json_edit.hpp"

namespace {

using cirrus::InputError;
using cirrus::scenarios::parse_collective_validation_set;
using cirrus::scenarios::parse_validation_set;
using nlohmann::json;

const std::string kFile = "tests/fake-dataset.json";

// One torchtitan-like row on 2 Grand Teton hosts: FSDP2 over dp 8 x cp 2, fp8.
const char* const kBase = R"({
  "title": "t", "source": "s",
  "setup": {"framework": "torchtitan", "node": "grand-teton-h100", "precision": "bf16",
            "zero": 3, "attention": "flash2", "kernels": "eager"},
  "assumed": ["a line"],
  "rows": [{"record_id": "r0", "layers": 32, "hidden": 4096, "heads": 32, "kv_heads": 8,
            "ffn_hidden": 14336, "ffn": "swiglu", "seq_len": 65536, "vocab": 128256,
            "global_batch": 8, "tp": 1, "pp": 1, "dp": 8, "cp": 2, "gpus": 16,
            "micro_batch": 1, "recompute": "full", "precision": "fp8",
            "fp8_all_gather": true, "kernels": "fused",
            "tokens_per_s_per_gpu": 2540, "peak_memory_gib": 84.2,
            "stated": "as published", "assumed": ["row line"]}]
})";

std::string with(const std::string& pointer, const json& value) {
  return cirrus::testing::with_value(kBase, pointer, value);
}

std::string without(const std::string& pointer) {
  return cirrus::testing::without_key(kBase, pointer);
}

void require_error(const std::string& text, const std::string& path,
                   const std::string& fragment = "") {
  INFO("dataset: " << text);
  try {
    parse_validation_set(text, kFile);
  } catch (const InputError& e) {
    INFO("error: " << e.what());
    CHECK(e.path() == path);
    CHECK(e.file() == kFile);
    // One line: cirrus prints `cirrus: FILE: PATH: expected ..., found ...`.
    CHECK(std::string(e.what()).find('\n') == std::string::npos);
    if (!fragment.empty()) CHECK_THAT(e.what(), Catch::Contains(fragment));
    return;
  }
  FAIL("no InputError; expected one at " << path);
}

}  // namespace

TEST_CASE("validation rows carry the new setup keys into the step input",
          "[scenarios][validation]") {
  const auto set = parse_validation_set(kBase, kFile);
  REQUIRE(set.rows.size() == 1);
  const auto& r = set.rows[0];
  const auto& s = r.input.strategy;
  CHECK(r.framework == "torchtitan");
  CHECK(r.input.cluster.node.id == "grand-teton-h100");
  CHECK(r.input.cluster.nodes == 2);
  CHECK(s.cp == 2);
  CHECK(s.gpus() == 16);
  CHECK(s.zero == 3);
  CHECK(s.attention == cirrus::models::AttentionKernel::kFlash2);
  CHECK(s.recompute == cirrus::models::Recompute::kFull);
  CHECK(r.input.training.precision == cirrus::models::Precision::kFp8);
  CHECK(r.input.training.fp8_all_gather);
  CHECK(r.input.training.kernels == cirrus::models::Kernels::kFused);  // the row wins
  CHECK(r.input.model.kv_heads == 8);
  // A SwiGLU model without family keys is Llama-style, as in a scenario.
  CHECK(r.input.model.rotary);
  CHECK(r.input.model.rmsnorm);
  CHECK_FALSE(r.input.model.dropout);
  CHECK(r.published_kind == "tokens_per_s_per_gpu");
  CHECK(r.published_value == 2540);
  REQUIRE(r.published_memory_gib);
  CHECK(*r.published_memory_gib == 84.2);
  CHECK(r.stated == "as published");
  CHECK(r.assumed == std::vector<std::string>{"row line"});
  CHECK(set.assumptions == std::vector<std::string>{"a line"});
}

TEST_CASE("validation rows take the loss's and the norms' kernels, setup then row",
          "[scenarios][validation]") {
  using cirrus::models::Kernels;
  // Absent: both follow `kernels`.
  {
    const auto t = parse_validation_set(kBase, kFile).rows[0].input.training;
    CHECK_FALSE(t.loss_kernels);
    CHECK_FALSE(t.norm_kernels);
    CHECK(t.loss() == Kernels::kFused);
    CHECK(t.norm() == Kernels::kFused);
  }
  // torchtitan Dec 2024: compiled blocks, eager loss (set for the dataset).
  {
    const auto set = parse_validation_set(with("/setup/loss_kernels", "eager"), kFile);
    const auto& t = set.rows[0].input.training;
    CHECK(t.kernels == Kernels::kFused);
    CHECK(t.loss() == Kernels::kEager);
    CHECK(t.norm() == Kernels::kFused);
  }
  // An eager model with a fused RMSNorm (the row's key wins over the setup's).
  {
    json j = json::parse(kBase);
    j["rows"][0]["kernels"] = "eager";
    j["setup"]["norm_kernels"] = "eager";
    j["rows"][0]["norm_kernels"] = "fused";
    const auto t = parse_validation_set(j.dump(), kFile).rows[0].input.training;
    CHECK(t.kernels == Kernels::kEager);
    CHECK(t.norm() == Kernels::kFused);
    CHECK(t.loss() == Kernels::kEager);
  }
  // The names come from the scenario loader's table: the same refusal and list.
  require_error(with("/rows/0/loss_kernels", "compiled"), "rows[0].loss_kernels", "eager");
  require_error(with("/setup/norm_kernels", "triton"), "setup.norm_kernels", "fused");
  require_error(with("/setup/precision", "fp4"), "setup.precision", "fp32");
}

TEST_CASE("tokens per second per GPU become a step time by hand", "[scenarios][validation]") {
  // 8 sequences of 65,536 tokens on 16 GPUs at 2,540 tokens/s each:
  // 524,288 tokens / 40,640 tokens/s = 12.9008 s.
  const auto set = parse_validation_set(kBase, kFile);
  CHECK(set.rows[0].published_step_s == Approx(524288.0 / 40640.0).epsilon(1e-12));
  CHECK(set.rows[0].published_step_s == Approx(12.9008).epsilon(1e-5));
  // MPT-70B on 512 H100 (llm-foundry): 4096 x 2048 / (512 x 1007) = 16.2701 s.
  CHECK(cirrus::scenarios::step_from_tokens_per_gpu(4096, 2048, 512, 1007) ==
        Approx(16.2701).epsilon(1e-5));
}

TEST_CASE("defaults: a row without setup is Megatron-LM 2021 on DGX A100 80GB",
          "[scenarios][validation]") {
  const auto set = parse_validation_set(
      R"({"title": "t", "source": "s", "rows": [{"record_id": "x", "layers": 24, "hidden": 2304,
          "heads": 24, "ffn_hidden": 9216, "seq_len": 2048, "vocab": 51200, "global_batch": 512,
          "tp": 1, "pp": 1, "dp": 32, "gpus": 32, "achieved_tflops_per_gpu": 137}]})",
      kFile);
  const auto& r = set.rows[0];
  CHECK(r.framework == "Megatron-LM");
  CHECK(r.input.strategy.cp == 1);
  CHECK(r.input.cluster.node.id == "dgx-a100-80gb");
  CHECK(r.published_kind == "achieved_tflops_per_gpu");
  CHECK(r.input.model.dropout);  // GeLU: GPT-style as Megatron-LM trains it
  CHECK_FALSE(r.input.model.rotary);
  // A row says otherwise for itself (MPT: ALiBi, LayerNorm, no dropout).
  const auto mpt = parse_validation_set(with("/rows/0/dropout", false), kFile);
  CHECK_FALSE(mpt.rows[0].input.model.dropout);
  CHECK(mpt.rows[0].input.model.rotary);
  CHECK_FALSE(set.assumptions.empty());  // the SC'21 table's assumption lines
}

TEST_CASE("an inline node in a dataset is read as a scenario's cluster.node",
          "[scenarios][validation]") {
  const auto set = parse_validation_set(
      with("/rows/0/node", {{"preset", "dgx-a100-80gb"}, {"nics", 4}, {"nic_gbit_per_s", 100}}),
      kFile);
  const auto& node = set.rows[0].input.cluster.node;
  CHECK(node.id == "inline");
  CHECK(node.nics == 4);
  CHECK(node.gpu.id == "a100-sxm-80gb");
}

TEST_CASE("validation dataset errors name the file and the JSON path", "[scenarios][validation]") {
  require_error(with("/rows/0/cp", 0), "rows[0].cp", "positive");
  require_error(with("/rows/0/cp", 4), "rows[0].gpus", "tp x pp x dp x cp = 32");
  require_error(with("/rows/0/ep", "two"), "rows[0].ep");
  require_error(with("/rows/0/tokens_per_s_per_gpu", -1), "rows[0].tokens_per_s_per_gpu");
  require_error(with("/rows/0/step_time_s", 3.0), "rows[0].tokens_per_s_per_gpu", "exactly one of");
  require_error(without("/rows/0/tokens_per_s_per_gpu"), "rows[0]", "exactly one of");
  require_error(with("/rows/0/peak_memory_gib", 0), "rows[0].peak_memory_gib");
  require_error(with("/rows/0/tokens_per_sec_per_gpu", 1), "rows[0].tokens_per_sec_per_gpu",
                "did you mean 'tokens_per_s_per_gpu'");
  require_error(with("/rows/0/framwork", "x"), "rows[0].framwork", "did you mean 'framework'");
  require_error(with("/setup/framework", ""), "setup.framework");
  require_error(with("/setup/attention", "flash4"), "setup.attention", "flash3");
  require_error(with("/rows/0/recompute", "selective_op"), "rows[0].recompute", "selective-op");
  require_error(with("/rows/0/kernels", "compiled"), "rows[0].kernels", "eager");
  require_error(with("/rows/0/recompute_every", 0), "rows[0].recompute_every");
  require_error(with("/setup/dp_shard", -2), "setup.dp_shard");
  require_error(with("/rows/0/precision", "bf16"), "rows[0].fp8_all_gather", "fp8");
  require_error(with("/rows/0/node", "grand-teton-h200"), "rows[0].node", "grand-teton-h100");
  require_error(with("/rows/0/node", json{{"preset", "dgx-h100"}, {"nic", 4}}), "rows[0].node.nic");
  require_error(with("/rows/0/assumed", "one line"), "rows[0].assumed", "a list of strings");
  require_error(with("/rows/0/tied_embeddings", 1), "rows[0].tied_embeddings");
  require_error(with("/rows/0/rotary", "alibi"), "rows[0].rotary");
}

TEST_CASE("collective datasets: points, nodes and errors", "[scenarios][validation]") {
  const std::string good = R"({"cirrus_collective_validation": 1, "title": "t", "source": "s",
    "curves": [{"record_id": "c", "node": "aws-p5", "nodes": 2, "op": "all_reduce",
                "points": [{"bytes": 8, "time_us": 69.1, "busbw_gbs": 0.0}]}]})";
  const auto set = parse_collective_validation_set(good, kFile);
  REQUIRE(set.curves.size() == 1);
  CHECK(set.curves[0].cluster.nodes == 2);
  CHECK(set.curves[0].gpus_per_node == 8);
  CHECK(set.curves[0].op == cirrus::models::CollectiveKind::kAllReduce);
  auto bad = [&](const json& changed, const std::string& path) {
    INFO(changed.dump());
    try {
      parse_collective_validation_set(changed.dump(), kFile);
      FAIL("no InputError at " << path);
    } catch (const InputError& e) {
      CHECK(e.path() == path);
      CHECK(e.file() == kFile);
    }
  };
  json j = json::parse(good);
  j["curves"][0]["op"] = "allreduce";
  bad(j, "curves[0].op");
  j = json::parse(good);
  j["curves"][0]["points"][0]["time_us"] = 0;
  bad(j, "curves[0].points[0].time_us");
  j = json::parse(good);
  j["curves"][0]["gpus_per_node"] = 9;
  bad(j, "curves[0].gpus_per_node");
  j = json::parse(good);
  j["curves"][0]["nodez"] = 2;
  bad(j, "curves[0].nodez");
}
