// `cirrus presets`: what a scenario can name, through the binary (docs/CONTRACT.md, the presets
// row). The pinned figures are the preset tables' (models/, pricing/catalogs/), and each is also
// read back from the tables here, so the test fails when the output and the tables disagree.
#include <algorithm>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "models/workload/transformer.hpp"
#include "tests/golden/cli_support.hpp"

namespace {

using cirrus::testing::run_cli;

}  // namespace

TEST_CASE("presets models: one row per preset with its shape", "[golden][presets]") {
  const auto r = run_cli("presets models");
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Catch::StartsWith("models\nmodel "));
  // llama3-70b: 80 layers, d 8192, 64 heads, 8 KV heads, SwiGLU 28672, vocab 128,256, 8k
  // sequences, 70.6 B parameters, dense.
  CHECK_THAT(r.out, Catch::Contains("llama3-70b            80    8192     64         8  swiglu "
                                    "28672  128256     8192        70.6        -      -\n"));
  CHECK_THAT(r.out, Catch::Contains("mixtral-8x7b          32    4096     32         8  swiglu "
                                    "14336   32000     4096        46.7        8      2\n"));
  // A preset's approximation is printed with it.
  CHECK_THAT(r.out, Catch::Contains("approximations:\n  " +
                                    cirrus::models::find_model("deepseek-v3")->approximation));
  for (const auto& id : cirrus::models::model_ids()) {
    CHECK_THAT(r.out, Catch::Contains("\n" + id + " "));
  }
  CHECK_THAT(r.out, !Catch::Contains("\nnodes\n"));
}

TEST_CASE("presets --format json: one object with the five lists", "[golden][presets]") {
  const auto r = run_cli("presets --format json");
  REQUIRE(r.status == 0);
  const auto j = nlohmann::ordered_json::parse(r.out);
  REQUIRE(j.is_object());
  std::string keys;
  for (const auto& [k, v] : j.items()) keys += k + " ";
  CHECK(keys == "models nodes gpus instances finetune ");
  CHECK(j["models"].size() == cirrus::models::model_ids().size());

  const auto& llama = j["models"][6];
  CHECK(llama["id"] == "llama3-70b");
  CHECK(llama["layers"] == 80);
  CHECK(llama["kv_heads"] == 8);
  CHECK(llama["moe"].is_null());
  CHECK(llama["approximation"].is_null());

  const auto& gpus = j["gpus"];
  const auto a100 = std::find_if(gpus.begin(), gpus.end(),
                                 [](const auto& g) { return g["id"] == "a100-sxm-80gb"; });
  REQUIRE(a100 != gpus.end());
  CHECK((*a100)["dense_tflops"]["bf16"] == 312.0);
  CHECK((*a100)["dense_tflops"]["fp8"].is_null());  // Ampere has no fp8 tensor cores

  // One instance's fields, in order: aws:p5.48xlarge runs on the aws-p5 node and auto searches it.
  const auto& inst = j["instances"];
  const auto p5 = std::find_if(inst.begin(), inst.end(),
                               [](const auto& i) { return i["id"] == "aws:p5.48xlarge"; });
  REQUIRE(p5 != inst.end());
  CHECK(p5->dump() ==
        R"({"id":"aws:p5.48xlarge","provider":"aws","gpus":8.0,"gpu":"h100-sxm","gpu_model":null,)"
        R"("node":"aws-p5","simulable":true,"auto":true,"auto_skip":null})");
  // A one-GPU shape: no node preset, not searched.
  const auto small = std::find_if(inst.begin(), inst.end(),
                                  [](const auto& i) { return i["id"] == "aws:p5.4xlarge"; });
  REQUIRE(small != inst.end());
  CHECK((*small)["simulable"] == false);
  CHECK((*small)["auto"] == false);

  // The same bytes every time.
  CHECK(run_cli("presets --format json").out == r.out);
}

TEST_CASE("presets: a bad section or a stray --catalog is a usage error", "[golden][presets]") {
  const auto bad = run_cli("presets modles");
  CHECK(bad.status == 2);
  CHECK_THAT(bad.err, Catch::Contains("models") && Catch::Contains("nodes") &&
                          Catch::Contains("gpus") && Catch::Contains("instances"));
  const auto stray = run_cli("presets gpus --catalog x.json");
  CHECK(stray.status == 2);
  CHECK_THAT(stray.err, Catch::Contains("--catalog"));
}
