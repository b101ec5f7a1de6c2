// `model.hf_config` (CONTRACT.md, "Scenario"): real Hugging Face config.json files
// (tests/data/hf/, sources in its README) map to the shapes of the matching presets, with the
// expected numbers written out by hand from the published configs; errors name the config file
// and its key.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "common/input_error.hpp"
#include "common/read_file.hpp"
#include "models/workload/transformer.hpp"
#include "scenarios/scenario.hpp"
#include "tests/json_edit.hpp"

namespace {

namespace fs = std::filesystem;
using cirrus::scenarios::parse_scenario;
using cirrus::scenarios::Scenario;

const std::string kDataDir = std::string(CIRRUS_SOURCE_DIR) + "/tests/data/hf";

// A pinned scenario whose model is `model` (Llama 2 7B's example otherwise).
std::string scenario_with_model(const nlohmann::json& model) {
  static const std::string kBase =
      cirrus::read_file(std::string(CIRRUS_SOURCE_DIR) + "/scenarios/examples/llama2-7b-a100.json");
  return cirrus::testing::with_value(kBase, "/model", model);
}

// The scenario read as if its file were in tests/data/hf/, so relative paths resolve there.
Scenario load(const nlohmann::json& model) {
  return parse_scenario(scenario_with_model(model), kDataDir + "/scenario.json");
}

std::string error_of(const nlohmann::json& model, const std::string& dir = kDataDir) {
  try {
    parse_scenario(scenario_with_model(model), dir + "/scenario.json");
  } catch (const cirrus::InputError& e) {
    return e.what();
  }
  return "";
}

// A scratch directory holding `config` as config.json; returns the directory.
std::string write_config(const std::string& name, const std::string& config) {
  const fs::path dir = fs::temp_directory_path() / ("cirrus-hf-test-" + name);
  fs::create_directories(dir);
  std::ofstream(dir / "config.json", std::ios::binary) << config;
  return dir.string();
}

// The Llama 3.1 8B config with the value at `pointer` replaced (or removed when null is not
// what is meant: see `without`).
std::string llama_with(const std::string& pointer, const nlohmann::json& value) {
  return cirrus::testing::with_value(
      cirrus::read_file(kDataDir + "/meta-llama--Meta-Llama-3.1-8B_config.json"), pointer, value);
}

std::string llama_without(const std::string& pointer) {
  return cirrus::testing::without_key(
      cirrus::read_file(kDataDir + "/meta-llama--Meta-Llama-3.1-8B_config.json"), pointer);
}

void check_same_shape(const cirrus::models::TransformerConfig& a,
                      const cirrus::models::TransformerConfig& b) {
  CHECK(a.layers == b.layers);
  CHECK(a.hidden == b.hidden);
  CHECK(a.heads == b.heads);
  CHECK(a.kv_heads == b.kv_heads);
  CHECK(a.ffn_hidden == b.ffn_hidden);
  CHECK(a.ffn == b.ffn);
  CHECK(a.vocab == b.vocab);
  CHECK(a.tied_embeddings == b.tied_embeddings);
  CHECK(a.rotary == b.rotary);
  CHECK(a.rmsnorm == b.rmsnorm);
  CHECK(a.dropout == b.dropout);
  REQUIRE(a.moe.has_value() == b.moe.has_value());
  if (a.moe) {
    CHECK(a.moe->experts == b.moe->experts);
    CHECK(a.moe->top_k == b.moe->top_k);
    CHECK(a.moe->layer_freq == b.moe->layer_freq);
    CHECK(a.moe->first_dense_layers == b.moe->first_dense_layers);
    CHECK(a.moe->expert_ffn_hidden == b.moe->expert_ffn_hidden);
    CHECK(a.moe->shared_experts == b.moe->shared_experts);
    CHECK(a.moe->drop_tokens == b.moe->drop_tokens);
  }
  CHECK(a.parameters() == Approx(b.parameters()).epsilon(1e-12));
}

}  // namespace

TEST_CASE("hf_config: Llama 3.1 8B maps to the llama3-8b preset's shape", "[scenarios][hf]") {
  const Scenario s =
      load({{"hf_config", "meta-llama--Meta-Llama-3.1-8B_config.json"}, {"seq_len", 8192}});
  const auto& m = s.model;
  CHECK(m.layers == 32);
  CHECK(m.hidden == 4096);
  CHECK(m.heads == 32);
  CHECK(m.kv_heads == 8);
  CHECK(m.ffn_hidden == 14336);
  CHECK(m.ffn == cirrus::models::FfnKind::kSwiglu);
  CHECK(m.vocab == 128256);
  CHECK(m.seq_len == 8192);
  CHECK_FALSE(m.tied_embeddings);
  CHECK(m.rotary);
  CHECK(m.rmsnorm);
  CHECK_FALSE(m.dropout);
  CHECK_FALSE(m.moe);
  // No _name_or_path in a hub file: the model_type names it.
  CHECK(m.name == "llama (config.json)");
  CHECK(m.approximation.empty());
  check_same_shape(m, *cirrus::models::find_model("llama3-8b"));
}

TEST_CASE("hf_config: Mixtral 8x7B maps to the mixtral-8x7b preset's shape and experts",
          "[scenarios][hf]") {
  const auto m =
      load({{"hf_config", "mistralai--Mixtral-8x7B-v0.1_config.json"}, {"seq_len", 4096}}).model;
  CHECK(m.layers == 32);
  CHECK(m.hidden == 4096);
  CHECK(m.heads == 32);
  CHECK(m.kv_heads == 8);
  CHECK(m.ffn_hidden == 14336);
  CHECK(m.vocab == 32000);
  REQUIRE(m.moe);
  CHECK(m.moe->experts == 8);
  CHECK(m.moe->top_k == 2);
  CHECK(m.moe->layer_freq == 1);
  CHECK(m.moe->expert_ffn_hidden == 14336);  // a Mixtral expert is a whole FFN
  CHECK(m.moe->shared_experts == 0);
  CHECK_FALSE(m.moe->drop_tokens);
  CHECK(m.approximation.empty());  // "sliding_window": null
  check_same_shape(m, *cirrus::models::find_model("mixtral-8x7b"));
}

TEST_CASE("hf_config: DeepSeek-V3 maps to the deepseek-v3 preset, MLA and MTP noted",
          "[scenarios][hf]") {
  const auto m =
      load({{"hf_config", "deepseek-ai--DeepSeek-V3_config.json"}, {"seq_len", 4096}}).model;
  CHECK(m.layers == 61);
  CHECK(m.hidden == 7168);
  CHECK(m.heads == 128);
  CHECK(m.kv_heads == 128);
  CHECK(m.ffn_hidden == 18432);
  CHECK(m.vocab == 129280);
  REQUIRE(m.moe);
  CHECK(m.moe->experts == 256);
  CHECK(m.moe->top_k == 8);
  CHECK(m.moe->layer_freq == 1);
  CHECK(m.moe->first_dense_layers == 3);
  CHECK(m.moe->expert_ffn_hidden == 2048);
  CHECK(m.moe->shared_experts == 1);
  CHECK_THAT(m.approximation, Catch::StartsWith("deepseek_v3 (config.json): ") &&
                                  Catch::Contains("Multi-head Latent Attention") &&
                                  Catch::Contains("56") &&
                                  Catch::Contains("multi-token prediction"));
  check_same_shape(m, *cirrus::models::find_model("deepseek-v3"));
}

TEST_CASE("hf_config: Qwen3 dense and MoE configs, their explicit head_dim noted",
          "[scenarios][hf]") {
  const auto dense = load({{"hf_config", "Qwen--Qwen3-0.6B_config.json"}, {"seq_len", 4096}}).model;
  CHECK(dense.layers == 28);
  CHECK(dense.hidden == 1024);
  CHECK(dense.heads == 16);
  CHECK(dense.kv_heads == 8);
  CHECK(dense.ffn_hidden == 3072);
  CHECK(dense.vocab == 151936);
  CHECK(dense.tied_embeddings);
  CHECK_FALSE(dense.moe);
  // head_dim 128 in the config; cirrus's heads are hidden / heads = 64 wide.
  CHECK_THAT(dense.approximation, Catch::Contains("head_dim 128") && Catch::Contains("= 64"));

  const auto moe =
      load({{"hf_config", "Qwen--Qwen3-30B-A3B_config.json"}, {"seq_len", 4096}}).model;
  CHECK(moe.layers == 48);
  CHECK(moe.hidden == 2048);
  CHECK(moe.heads == 32);
  CHECK(moe.kv_heads == 4);
  CHECK(moe.vocab == 151936);
  CHECK_FALSE(moe.tied_embeddings);
  REQUIRE(moe.moe);
  CHECK(moe.moe->experts == 128);
  CHECK(moe.moe->top_k == 8);
  CHECK(moe.moe->layer_freq == 1);  // decoder_sparse_step 1
  CHECK(moe.moe->expert_ffn_hidden == 768);
  CHECK(moe.moe->shared_experts == 0);
  CHECK(moe.moe->first_dense_layers == 0);  // mlp_only_layers []
  CHECK_THAT(moe.approximation, Catch::Contains("head_dim 128") && Catch::Contains("= 64"));
}

TEST_CASE("hf_config: a GPT-2 config (BioMedLM) reads GPT-2's key names and defaults",
          "[scenarios][hf]") {
  // No seq_len in the scenario: n_positions 1024 is at most 16,384, so it is the length.
  const auto m = load({{"hf_config", "stanford-crfm--BioMedLM_config.json"}}).model;
  CHECK(m.name == "stanford-crfm/BioMedLM");
  CHECK(m.layers == 32);
  CHECK(m.hidden == 2560);
  CHECK(m.heads == 20);
  CHECK(m.kv_heads == 20);
  CHECK(m.ffn_hidden == 10240);  // n_inner null: 4 x 2560
  CHECK(m.ffn == cirrus::models::FfnKind::kGelu);
  CHECK(m.vocab == 28896);
  CHECK(m.seq_len == 1024);
  CHECK(m.tied_embeddings);  // GPT-2's class default
  CHECK(m.dropout);          // resid_pdrop 0.1
  CHECK_FALSE(m.rotary);
  CHECK_FALSE(m.rmsnorm);
  CHECK(m.approximation.empty());
}

TEST_CASE("hf_config: the training length is the scenario's above 16,384 positions",
          "[scenarios][hf]") {
  // Llama 3.1's 131,072 is the context it supports, not the one it trains at.
  CHECK_THAT(error_of({{"hf_config", "meta-llama--Meta-Llama-3.1-8B_config.json"}}),
             Catch::Contains("scenario.json: model.seq_len: expected the training sequence") &&
                 Catch::Contains("131072") && Catch::Contains("16384"));
  const std::string dir =
      write_config("short-context", llama_with("/max_position_embeddings", 16384));
  CHECK(parse_scenario(scenario_with_model({{"hf_config", "config.json"}}), dir + "/s.json")
            .model.seq_len == 16384);
  const std::string none = write_config("no-context", llama_without("/max_position_embeddings"));
  CHECK_THAT(error_of({{"hf_config", "config.json"}}, none),
             Catch::Contains("model.seq_len") && Catch::Contains("no max_position_embeddings"));
  CHECK(parse_scenario(scenario_with_model({{"hf_config", "config.json"}, {"seq_len", 2048}}),
                       none + "/s.json")
            .model.seq_len == 2048);
}

TEST_CASE("hf_config: scenario fields beside it override the config", "[scenarios][hf]") {
  const auto m = load({{"hf_config", "mistralai--Mixtral-8x7B-v0.1_config.json"},
                       {"seq_len", 2048},
                       {"layers", 4},
                       {"vocab", 32768},
                       {"moe", {{"top_k", 1}, {"imbalance", 0.5}}}})
                     .model;
  CHECK(m.layers == 4);
  CHECK(m.vocab == 32768);
  CHECK(m.hidden == 4096);
  REQUIRE(m.moe);
  CHECK(m.moe->top_k == 1);
  CHECK(m.moe->experts == 8);
  CHECK(m.moe->imbalance == 0.5);
  CHECK(m.moe->expert_ffn_hidden == 14336);
  // A multi-head config stays multi-head when heads change, as a preset does.
  const auto gpt =
      load({{"hf_config", "stanford-crfm--BioMedLM_config.json"}, {"heads", 40}}).model;
  CHECK(gpt.kv_heads == 40);
}

TEST_CASE("hf_config: paths resolve beside the scenario file; absolute paths too",
          "[scenarios][hf]") {
  // From tests/data/, "hf/..." names tests/data/hf/...
  const Scenario rel = parse_scenario(
      scenario_with_model(
          {{"hf_config", "hf/meta-llama--Meta-Llama-3.1-8B_config.json"}, {"seq_len", 8192}}),
      std::string(CIRRUS_SOURCE_DIR) + "/tests/data/scenario.json");
  CHECK(rel.model.layers == 32);
  const Scenario abs = parse_scenario(
      scenario_with_model({{"hf_config", kDataDir + "/meta-llama--Meta-Llama-3.1-8B_config.json"},
                           {"seq_len", 8192}}),
      "/nonexistent/dir/scenario.json");
  CHECK(abs.model.layers == 32);
  // A missing config is an IoError (exit 5) naming the resolved path and the scenario.
  try {
    load({{"hf_config", "absent/config.json"}, {"seq_len", 8192}});
    FAIL("no error");
  } catch (const cirrus::IoError& e) {
    CHECK_THAT(std::string(e.what()), Catch::Contains(kDataDir + "/absent/config.json") &&
                                          Catch::Contains("model.hf_config"));
  }
}

TEST_CASE("hf_config: bad config values name the config file and the key", "[scenarios][hf]") {
  auto error_in = [](const std::string& name, const std::string& config) {
    const std::string dir = write_config(name, config);
    return std::pair{dir + "/config.json",
                     error_of({{"hf_config", "config.json"}, {"seq_len", 8192}}, dir)};
  };
  {
    const auto [file, e] = error_in("missing", llama_without("/num_hidden_layers"));
    CHECK(e == file +
                   ": num_hidden_layers: expected a positive integer (required in a "
                   "config.json), found nothing");
  }
  {
    const auto [file, e] = error_in("string", llama_with("/hidden_size", "4096"));
    CHECK(e == file + ": hidden_size: expected an integer, found the string \"4096\"");
  }
  {
    const auto [file, e] = error_in("negative", llama_with("/num_attention_heads", -32));
    CHECK_THAT(e, Catch::StartsWith(file + ": num_attention_heads: expected a positive integer"));
  }
  {
    const auto [file, e] = error_in("huge", llama_with("/num_hidden_layers", 1e12));
    CHECK_THAT(e, Catch::StartsWith(file + ": num_hidden_layers: expected a positive integer "
                                           "up to 16384"));
  }
  {
    const auto [file, e] = error_in("kv", llama_with("/num_key_value_heads", 5));
    CHECK_THAT(e, Catch::StartsWith(file + ": num_key_value_heads: expected a divisor of "
                                           "num_attention_heads (32)"));
  }
  {
    const auto [file, e] = error_in("type", llama_without("/model_type"));
    CHECK_THAT(e, Catch::StartsWith(file + ": model_type: expected the model family"));
  }
  {
    const auto [file, e] = error_in("syntax", "{\"model_type\": ");
    CHECK_THAT(e, Catch::StartsWith(file + ": expected well-formed JSON"));
  }
  {
    // MoE: top_k above the experts.
    const auto [file, e] =
        error_in("topk", cirrus::testing::with_value(llama_with("/num_local_experts", 4),
                                                     "/num_experts_per_tok", 8));
    CHECK_THAT(e, Catch::StartsWith(file + ": num_experts_per_tok: expected"));
  }
  // Null reads as absent: num_key_value_heads null is multi-head attention.
  const std::string dir = write_config("null-kv", llama_with("/num_key_value_heads", nullptr));
  CHECK(parse_scenario(scenario_with_model({{"hf_config", "config.json"}, {"seq_len", 8192}}),
                       dir + "/s.json")
            .model.kv_heads == 32);
}

TEST_CASE(
    "hf_config: a preset and a config together, and Hugging Face ids as presets, are "
    "refused with a hint",
    "[scenarios][hf]") {
  CHECK_THAT(error_of({{"preset", "llama3-8b"},
                       {"hf_config", "meta-llama--Meta-Llama-3.1-8B_config.json"}}),
             Catch::Contains(
                 "model.hf_config: expected either model.preset or model.hf_config, not both"));
  CHECK_THAT(error_of({{"preset", "meta-llama/Llama-3.1-8B"}}),
             Catch::Contains("model.preset: expected a known model preset (") &&
                 Catch::EndsWith("found the string \"meta-llama/Llama-3.1-8B\" (a Hugging Face "
                                 "id: download its config.json and give \"hf_config\": \"PATH\")"));
  CHECK_THAT(error_of({{"hf_config", ""}, {"seq_len", 8}}),
             Catch::Contains("model.hf_config: expected the path of a Hugging Face config.json"));
}

TEST_CASE(
    "hf_config: families cirrus does not know follow their activation, noted; Qwen2-MoE's "
    "shared expert becomes shared experts of the routed width",
    "[scenarios][hf]") {
  // Hand-written configs (not published files), with the keys of the families they imitate.
  const std::string unknown = write_config("unknown-family", R"({"model_type": "newfamily",
      "num_hidden_layers": 2, "hidden_size": 256, "num_attention_heads": 4,
      "intermediate_size": 512, "vocab_size": 1000, "max_position_embeddings": 2048,
      "hidden_act": "silu"})");
  const auto m =
      parse_scenario(scenario_with_model({{"hf_config", "config.json"}}), unknown + "/s.json")
          .model;
  CHECK(m.ffn == cirrus::models::FfnKind::kSwiglu);
  CHECK(m.rotary);
  CHECK(m.seq_len == 2048);
  CHECK_THAT(m.approximation, Catch::Contains("\"newfamily\" is not one cirrus knows"));
  const std::string relu = write_config("unknown-relu", R"({"model_type": "newfamily",
      "num_hidden_layers": 2, "hidden_size": 256, "num_attention_heads": 4,
      "intermediate_size": 512, "vocab_size": 1000, "hidden_act": "relu"})");
  CHECK_THAT(error_of({{"hf_config", "config.json"}, {"seq_len", 8}}, relu),
             Catch::Contains("config.json: hidden_act: expected \"silu\""));

  // Qwen2-MoE-57B-A14B's MoE numbers: 64 experts of 2,560, top 8, one shared expert of 20,480.
  const std::string qwen2 = write_config("qwen2-moe", R"({"model_type": "qwen2_moe",
      "num_hidden_layers": 28, "hidden_size": 3584, "num_attention_heads": 28,
      "num_key_value_heads": 4, "intermediate_size": 18944, "vocab_size": 151936,
      "num_experts": 64, "num_experts_per_tok": 8, "moe_intermediate_size": 2560,
      "shared_expert_intermediate_size": 20480, "decoder_sparse_step": 1,
      "sliding_window": 65536, "use_sliding_window": false})");
  const auto q =
      parse_scenario(scenario_with_model({{"hf_config", "config.json"}, {"seq_len", 4096}}),
                     qwen2 + "/s.json")
          .model;
  REQUIRE(q.moe);
  CHECK(q.moe->experts == 64);
  CHECK(q.moe->shared_experts == 8);  // 20,480 / 2,560
  CHECK(q.approximation.empty());     // the sliding window is off
}
