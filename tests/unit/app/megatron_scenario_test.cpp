// A scenario from Megatron-LM arguments (app/megatron_scenario.hpp): the file it writes, what it
// derives (data parallel, the padded vocabulary, tokens, virtual stages, the MoE layer pattern)
// with the arithmetic written out, and the errors at the flag that caused them.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "app/megatron_scenario.hpp"
#include "common/input_error.hpp"
#include "scenarios/scenario.hpp"

namespace {

using cirrus::InputError;
using cirrus::app::megatron_scenario;
using cirrus::app::MegatronScenario;
using nlohmann::json;

std::vector<std::string> words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// Llama 3 70B: tp 8 x pp 4 on 64 p5 nodes (512 H100s).
const std::string k70b =
    "--tensor-model-parallel-size 8 --pipeline-model-parallel-size 4 "
    "--num-layers-per-virtual-pipeline-stage 5 --sequence-parallel --use-distributed-optimizer "
    "--overlap-grad-reduce --recompute-granularity selective --micro-batch-size 1 "
    "--global-batch-size 1024 --seq-length 8192 --train-iters 1000 --num-layers 80 "
    "--hidden-size 8192 --num-attention-heads 64 --group-query-attention --num-query-groups 8 "
    "--ffn-hidden-size 28672 --swiglu --untie-embeddings-and-output-weights --normalization "
    "RMSNorm --position-embedding-type rope --attention-dropout 0.0 --hidden-dropout 0.0 --bf16 "
    "--vocab-size 128256 --lr 1e-4";

MegatronScenario make(const std::string& line, int nodes = 64) {
  return megatron_scenario(words(line), {"aws:p5.48xlarge", nodes});
}

std::string error_path(const std::string& line, int nodes = 64, std::string* what = nullptr) {
  try {
    make(line, nodes);
  } catch (const InputError& e) {
    if (what) *what = e.what();
    return e.path();
  }
  FAIL("no error for " << line);
  return "";
}

bool has_note(const MegatronScenario& s, const std::string& part) {
  for (const auto& n : s.notes) {
    if (n.find(part) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("a Llama 3 70B command line becomes a pinned scenario", "[app][megatron]") {
  const MegatronScenario s = make(k70b);
  const json j = json::parse(s.json);
  CHECK(j["model"]["layers"] == 80);
  CHECK(j["model"]["kv_heads"] == 8);
  CHECK(j["model"]["ffn"] == "swiglu");
  CHECK(j["model"]["rotary"] == true);
  CHECK(j["model"]["rmsnorm"] == true);
  CHECK(j["model"]["dropout"] == false);
  CHECK(j["model"]["tied_embeddings"] == false);
  // 128256 padded to a multiple of 128 x TP 8 = 1024: ceil(128256 / 1024) = 126 -> 129024
  CHECK(j["model"]["vocab"] == 129024);
  CHECK(has_note(s, "--vocab-size 128256 read as 129024 rows"));
  // 1000 iterations x 1024 sequences x 8192 tokens
  CHECK(j["training"]["tokens"] == 8388608000LL);
  CHECK(j["training"]["precision"] == "bf16");
  CHECK(j["cluster"] == json{{"instance", "aws:p5.48xlarge"}, {"nodes", 64}});
  // 80 layers / pp 4 = 20 per rank; / 5 per virtual stage = 4 virtual stages
  CHECK(j["strategy"]["schedule"] == "interleaved");
  CHECK(j["strategy"]["virtual_stages"] == 4);
  CHECK(j["strategy"]["zero"] == 1);
  CHECK(j["strategy"]["recompute"] == "selective");
  CHECK(j["strategy"]["overlap"] == json{{"dp", true}, {"tp", false}});
  CHECK(!j["strategy"].contains("dp"));  // derived, as Megatron-LM derives it
  // 512 GPUs / (8 x 4 x 1) = 16
  CHECK(has_note(s, "data parallel 16 = 512 GPUs / (TP 8 x PP 4 x CP 1)"));
  CHECK(has_note(s, "ignored (cirrus does not model them): --lr"));
  // What simulate reads: the same file, pinned
  const auto scenario = cirrus::scenarios::parse_scenario(s.json, "s.json");
  cirrus::scenarios::check_pinned(scenario);
  CHECK(scenario.pinned_strategy().dp == 16);
  CHECK(scenario.hints.empty());
}

TEST_CASE("defaults Megatron-LM applies are written and said", "[app][megatron]") {
  const MegatronScenario s = make(
      "--num-layers 24 --hidden-size 2048 --num-attention-heads 16 --seq-length 2048 "
      "--micro-batch-size 2 --vocab-size 50257",
      1);
  const json j = json::parse(s.json);
  // 8 GPUs, dp 8: global batch = 2 x 8 = 16
  CHECK(j["training"]["global_batch"] == 16);
  CHECK(has_note(s, "no --global-batch-size: 16 = micro-batch 2 x data parallel 8"));
  CHECK(j["training"]["precision"] == "fp32");
  CHECK(!j["training"].contains("tokens"));
  // GPT-style: 4h FFN (8192), learned positions, LayerNorm, tied, dropout 0.1
  CHECK(j["model"]["ffn_hidden"] == 8192);
  CHECK(j["model"]["ffn"] == "gelu");
  CHECK(j["model"]["rotary"] == false);
  CHECK(j["model"]["tied_embeddings"] == true);
  CHECK(j["model"]["dropout"] == true);
  // 50257 padded to a multiple of 128: 393 x 128 = 50304
  CHECK(j["model"]["vocab"] == 50304);
  CHECK(j["strategy"]["schedule"] == "1f1b");
}

TEST_CASE("an MoE command line and its layer pattern", "[app][megatron]") {
  const std::string mixtral =
      "--num-layers 32 --hidden-size 4096 --num-attention-heads 32 --group-query-attention "
      "--num-query-groups 8 --ffn-hidden-size 14336 --swiglu --seq-length 4096 "
      "--micro-batch-size 1 --global-batch-size 512 --padded-vocab-size 32000 --bf16 "
      "--num-experts 8 --moe-router-topk 2 --expert-model-parallel-size 8 "
      "--pipeline-model-parallel-size 4";
  const json j = json::parse(make(mixtral, 8).json);
  CHECK(j["model"]["moe"] ==
        json{{"experts", 8}, {"top_k", 2}, {"expert_ffn_hidden", 14336}, {"drop_tokens", false}});
  CHECK(j["model"]["vocab"] == 32000);
  // the list form: 2 dense layers, then every other layer MoE (layer % 2 == 0) of 8 layers
  const std::string pattern = " --num-layers 8 --moe-layer-freq [0,0,1,0,1,0,1,0]";
  const json p = json::parse(make(mixtral + pattern, 8).json);
  CHECK(p["model"]["moe"]["first_dense_layers"] == 2);
  CHECK(p["model"]["moe"]["layer_freq"] == 2);
  CHECK(error_path(mixtral + " --num-layers 4 --moe-layer-freq [1,1,0,1]", 8) ==
        "--moe-layer-freq");
  CHECK(error_path(mixtral + " --moe-layer-freq ([0]*3+[1]*29)", 8) == "--moe-layer-freq");
}

TEST_CASE("sizes that do not fit the cluster name the flag", "[app][megatron]") {
  std::string what;
  // tp 8 x pp 4 = 32 GPUs does not divide one node's 8
  CHECK(error_path(k70b, 1, &what) == "--tensor-model-parallel-size");
  CHECK(what ==
        "megatron arguments: --tensor-model-parallel-size: expected TP x PP x CP "
        "dividing the 8 GPUs of --nodes 1 x aws:p5.48xlarge (8 GPUs each), found 8 x 4 "
        "x 1 = 32");
  // dp 16 x micro-batch 3 = 48 does not divide 1024
  CHECK(error_path(k70b + " --micro-batch-size 3") == "--global-batch-size");
  // 64 heads over tp 16... as the loader checks it: heads 60 do not divide hidden 8192
  CHECK(error_path(k70b + " --num-attention-heads 60 --num-query-groups 6") ==
        "--num-attention-heads (model.heads)");
  CHECK(error_path(k70b + " --swiglu --ffn-hidden-size 0") == "--ffn-hidden-size");
  try {
    megatron_scenario(words(k70b), {"aws:p5.48xlarg", 64});
    FAIL("no error");
  } catch (const InputError& e) {
    CHECK(e.path() == "--instance");
    CHECK_THAT(e.what(), Catch::Contains("did you mean 'aws:p5.48xlarge'"));
  }
}
