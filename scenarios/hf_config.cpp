// Hugging Face config.json -> TransformerConfig (hf_config.hpp). Sources for the field names
// and the class defaults: huggingface/transformers' configuration_<model>.py files (llama,
// mixtral, qwen2, qwen2_moe, qwen3_moe, deepseek_v3, gpt2, gpt_neox, gemma), summarised in
// shared/reference/formats.md section (a).
#include "scenarios/hf_config.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "common/input_error.hpp"
#include "common/json_reader.hpp"
#include "models/workload/moe.hpp"
#include "scenarios/limits.hpp"

namespace cirrus::scenarios {
namespace {

using models::FfnKind;
using models::TransformerConfig;

// What a model_type's transformers class implies beyond the numbers of its config.
struct Family {
  const char* model_type;
  bool gated;           // gate, up and down projections (SwiGLU/GeGLU): FfnKind::kSwiglu
  bool rotary;          // rotary position embeddings (else learned or none)
  bool rmsnorm;         // RMSNorm (else LayerNorm)
  bool tied_default;    // the class's tie_word_embeddings default
  bool ffn_4h_default;  // intermediate size absent (or null) means 4 x hidden
};

// Llama-family decoders and the GPT-style ones whose configs use the keys read here.
constexpr std::array<Family, 14> kFamilies = {{
    {"llama", true, true, true, false, false},
    {"mistral", true, true, true, false, false},
    {"mixtral", true, true, true, false, false},
    {"qwen2", true, true, true, false, false},
    {"qwen2_moe", true, true, true, false, false},
    {"qwen3", true, true, true, false, false},
    {"qwen3_moe", true, true, true, false, false},
    {"deepseek_v2", true, true, true, false, false},
    {"deepseek_v3", true, true, true, false, false},
    {"gemma", true, true, true, true, false},
    {"gemma2", true, true, true, true, false},
    {"gpt2", false, false, false, true, true},
    {"gpt_bigcode", false, false, false, true, true},
    {"gpt_neox", false, true, false, false, false},
}};

const Family* find_family(const std::string& model_type) {
  for (const Family& f : kFamilies) {
    if (model_type == f.model_type) return &f;
  }
  return nullptr;
}

bool is_silu(const std::string& act) { return act == "silu" || act == "swish" || act == "swiglu"; }
bool is_gelu(const std::string& act) { return act.rfind("gelu", 0) == 0 || act == "quick_gelu"; }

// The first of `keys` present with a non-null value.
std::optional<JsonNode> field(const JsonNode& root, std::initializer_list<const char*> keys) {
  for (const char* key : keys) {
    if (auto v = root.find(key); v && !v->is_null()) return v;
  }
  return std::nullopt;
}

[[noreturn]] void fail_missing(const JsonNode& root, const std::string& key,
                               const std::string& expected) {
  throw InputError(root.file(), root.child_path(key), expected + " (required in a config.json)",
                   "nothing");
}

std::int64_t positive(const JsonNode& n, std::int64_t max = kMaxSize) {
  const std::int64_t v = n.as_positive_int();
  if (v > max) n.fail(fmt::format("a positive integer up to {}", max));
  return v;
}

std::int64_t non_negative(const JsonNode& n, std::int64_t max = kMaxSize) {
  const std::int64_t v = n.as_int();
  if (v < 0 || v > max) n.fail(fmt::format("an integer from 0 to {}", max));
  return v;
}

// A required positive integer under `keys` (the first is the name in errors; GPT-2's aliases
// follow it).
std::int64_t required(const JsonNode& root, std::initializer_list<const char*> keys,
                      std::int64_t max = kMaxSize) {
  if (auto v = field(root, keys)) return positive(*v, max);
  fail_missing(root, *keys.begin(), "a positive integer");
}

// `_name_or_path` (added by transformers when it loads a model, and kept in many saved
// files), else "<model_type> (config.json)". Printed in tables: bounded and printable, as a
// scenario's name.
std::string display_name(const JsonNode& root, const std::string& model_type) {
  if (auto v = field(root, {"_name_or_path"})) {
    std::string name = v->as_string();
    const bool printable = std::none_of(name.begin(), name.end(), [](char c) {
      return static_cast<unsigned char>(c) < 0x20 || c == 0x7F;
    });
    if (name.size() > kMaxNameBytes || !printable) {
      v->fail(fmt::format("a name of at most {} bytes without control characters", kMaxNameBytes));
    }
    if (!name.empty()) return name;
  }
  return model_type + " (config.json)";
}

// The FFN kind and the layer's element-wise kernels, from the family (when cirrus knows the
// model_type) or else from the activation, as a scenario's model given by shape.
void read_family(const JsonNode& root, const std::string& model_type, TransformerConfig& c,
                 std::vector<std::string>& notes) {
  const Family* family = find_family(model_type);
  const auto act_node = field(root, {"hidden_act", "activation_function"});
  const std::string act = act_node ? act_node->as_string() : "";
  if (family) {
    c.ffn = family->gated ? FfnKind::kSwiglu : FfnKind::kGelu;
    c.rotary = family->rotary;
    c.rmsnorm = family->rmsnorm;
    if (family->gated && !act.empty() && !is_silu(act)) {
      notes.push_back(fmt::format("gated MLP with {} modelled as SwiGLU (the same three matrices)",
                                  act_node->describe()));
    } else if (!family->gated && !act.empty() && !is_gelu(act)) {
      notes.push_back(fmt::format("MLP with {} modelled as GeLU (the same two matrices)",
                                  act_node->describe()));
    }
    return;
  }
  if (!act_node) {
    fail_missing(
        root, "hidden_act",
        fmt::format("the MLP activation (model_type \"{}\" is not one cirrus knows)", model_type));
  }
  if (!is_silu(act) && !is_gelu(act)) {
    act_node->fail(
        fmt::format("\"silu\" (a gated, Llama-style MLP) or a \"gelu\" variant (a "
                    "GPT-style MLP) for model_type \"{}\", which cirrus does not know",
                    model_type));
  }
  const bool llama = is_silu(act);
  c.ffn = llama ? FfnKind::kSwiglu : FfnKind::kGelu;
  c.rotary = llama;
  c.rmsnorm = llama;
  notes.push_back(fmt::format(
      "model_type \"{}\" is not one cirrus knows: read as a {} decoder from its hidden_act",
      model_type, llama ? "Llama-style (gated MLP, rotary, RMSNorm)" : "GPT-style (GeLU MLP)"));
}

// Dropout masks are kept when any dropout probability the config gives is above 0; GPT-2's
// class defaults are 0.1.
bool read_dropout(const JsonNode& root, const std::string& model_type) {
  bool any_given = false;
  bool dropout = false;
  for (const char* key : {"attention_dropout", "hidden_dropout", "resid_pdrop", "embd_pdrop",
                          "attn_pdrop", "attention_probs_dropout_prob", "hidden_dropout_prob"}) {
    if (auto v = field(root, {key})) {
      any_given = true;
      dropout = dropout || v->as_number_in(0, 1) > 0;
    }
  }
  if (!any_given) return model_type == "gpt2" || model_type == "gpt_bigcode";
  return dropout;
}

// Qwen-MoE's mlp_only_layers: the leading run 0..k-1 is first_dense_layers k; other layers
// cannot be represented.
void read_mlp_only_layers(const JsonNode& n, models::MoeConfig& moe,
                          std::vector<std::string>& notes) {
  if (!n.is_array()) n.fail("a list of layer indices");
  std::vector<std::int64_t> layers;
  for (std::size_t i = 0; i < n.size(); ++i) layers.push_back(non_negative(n.index(i)));
  std::sort(layers.begin(), layers.end());
  layers.erase(std::unique(layers.begin(), layers.end()), layers.end());
  bool leading = true;
  for (std::size_t i = 0; i < layers.size(); ++i) leading = leading && layers[i] == std::int64_t(i);
  if (leading) {
    moe.first_dense_layers = static_cast<int>(layers.size());
  } else if (!layers.empty()) {
    notes.push_back(fmt::format(
        "mlp_only_layers ({} dense layers among the MoE ones) not represented: modelled as MoE "
        "layers",
        layers.size()));
  }
}

void read_moe(const JsonNode& root, TransformerConfig& c, std::vector<std::string>& notes) {
  const char* experts_key = nullptr;
  std::optional<JsonNode> experts;
  for (const char* key : {"num_local_experts", "num_experts", "n_routed_experts"}) {
    if ((experts = field(root, {key}))) {
      experts_key = key;
      break;
    }
  }
  if (!experts) return;
  models::MoeConfig moe;
  moe.experts = static_cast<int>(positive(*experts));
  moe.top_k = static_cast<int>(required(root, {"num_experts_per_tok"}));
  // Mixtral's experts are whole FFNs of intermediate_size; fine-grained ones give their width.
  if (auto v = field(root, {"moe_intermediate_size"})) {
    moe.expert_ffn_hidden = positive(*v);
  } else {
    moe.expert_ffn_hidden = c.ffn_hidden;
  }
  // DeepSeek: layer i is MoE when i >= first_k_dense_replace and i % moe_layer_freq == 0, as
  // Megatron's pattern with first_dense_layers.
  std::string freq_key = "moe_layer_freq";
  if (auto v = field(root, {"moe_layer_freq"})) moe.layer_freq = static_cast<int>(positive(*v));
  if (auto v = field(root, {"first_k_dense_replace"})) {
    moe.first_dense_layers = static_cast<int>(non_negative(*v));
  }
  if (auto v = field(root, {"decoder_sparse_step"})) {
    // Qwen-MoE: layer i is MoE when (i + 1) % step == 0; cirrus puts MoE layers at i % step ==
    // 0, the same number of them one step earlier.
    moe.layer_freq = static_cast<int>(positive(*v));
    freq_key = "decoder_sparse_step";
    if (moe.layer_freq > 1) {
      notes.push_back(fmt::format(
          "decoder_sparse_step {}: MoE layers placed at 0, {}, ... instead of {}, {}, ... (same "
          "count)",
          moe.layer_freq, moe.layer_freq, moe.layer_freq - 1, 2 * moe.layer_freq - 1));
    }
  }
  if (auto v = field(root, {"mlp_only_layers"})) read_mlp_only_layers(*v, moe, notes);
  if (auto v = field(root, {"n_shared_experts"})) {
    moe.shared_experts = static_cast<int>(non_negative(*v));
  }
  if (auto v = field(root, {"shared_expert_intermediate_size"})) {
    // Qwen2-MoE: one shared expert of its own width; cirrus's shared experts have the routed
    // experts' width, so it becomes that many of them (rounded up).
    const std::int64_t width = non_negative(*v);
    const std::int64_t count = (width + moe.expert_ffn_hidden - 1) / moe.expert_ffn_hidden;
    moe.shared_experts = static_cast<int>(std::min<std::int64_t>(count, kMaxSize));
    if (width % moe.expert_ffn_hidden != 0) {
      notes.push_back(fmt::format(
          "shared expert of width {} modelled as {} shared experts of the routed width {}", width,
          count, moe.expert_ffn_hidden));
    }
  }
  // Transformers' MoE layers route every token (no capacity limit), as Mixtral, Qwen-MoE and
  // DeepSeek-V3 were trained.
  moe.drop_tokens = false;
  moe.capacity_factor = 1.0;
  if (const auto problem = models::check_moe(moe, c.layers)) {
    // The config key the problem is about (the experts' for the others).
    std::string key = experts_key;
    if (problem->field == "top_k") key = "num_experts_per_tok";
    if (problem->field == "layer_freq") key = freq_key;
    if (problem->field == "first_dense_layers") key = "first_k_dense_replace";
    throw InputError(root.file(), root.child_path(key), problem->expected, problem->found);
  }
  c.moe = moe;
}

// What the config describes and cirrus's layer model does not: reported as an assumption.
void note_unrepresented(const JsonNode& root, const TransformerConfig& c,
                        std::vector<std::string>& notes) {
  if (auto v = field(root, {"head_dim"})) {
    const std::int64_t head_dim = positive(*v);
    if (head_dim != c.head_dim()) {
      notes.push_back(fmt::format(
          "head_dim {} modelled as hidden_size / num_attention_heads = {} (attention FLOPs, "
          "weights and KV memory differ)",
          head_dim, c.head_dim()));
    }
  }
  if (field(root, {"kv_lora_rank"}) || field(root, {"q_lora_rank"})) {
    notes.push_back(fmt::format(
        "Multi-head Latent Attention approximated as {}-head MHA of width hidden_size / heads = "
        "{} (attention FLOPs, weights and KV memory differ from MLA's)",
        c.heads, c.head_dim()));
  }
  const auto use_window = field(root, {"use_sliding_window"});
  if (auto v = field(root, {"sliding_window"}); v && !(use_window && !use_window->as_bool())) {
    notes.push_back(fmt::format(
        "sliding-window attention (window {}) modelled as full causal attention", v->as_int()));
  }
  if (auto v = field(root, {"num_nextn_predict_layers"}); v && non_negative(*v) > 0) {
    notes.push_back("multi-token prediction module omitted");
  }
}

}  // namespace

HfModel read_hf_config(const JsonNode& root) {
  if (!root.is_object()) root.fail("a config.json object");
  HfModel out;
  TransformerConfig& c = out.model;
  std::vector<std::string> notes;

  const auto type_node = field(root, {"model_type"});
  if (!type_node) fail_missing(root, "model_type", "the model family, e.g. \"llama\"");
  const std::string model_type = type_node->as_string();
  if (model_type.empty()) type_node->fail("the model family, e.g. \"llama\"");
  c.name = display_name(root, model_type);
  c.source = "Hugging Face config.json " + root.file();

  c.layers = static_cast<int>(required(root, {"num_hidden_layers", "n_layer"}, kMaxLayers));
  c.hidden = required(root, {"hidden_size", "n_embd"});
  c.heads = static_cast<int>(required(root, {"num_attention_heads", "n_head"}));
  c.kv_heads = c.heads;
  if (auto v = field(root, {"num_key_value_heads"})) c.kv_heads = static_cast<int>(positive(*v));
  c.vocab = required(root, {"vocab_size"});
  const Family* family = find_family(model_type);
  if (auto v = field(root, {"intermediate_size", "n_inner"})) {
    c.ffn_hidden = positive(*v);
  } else if (family && family->ffn_4h_default) {
    c.ffn_hidden = 4 * c.hidden;
  } else {
    fail_missing(root, "intermediate_size", "a positive integer");
  }
  if (auto v = field(root, {"max_position_embeddings", "n_positions"})) {
    out.max_position_embeddings = positive(*v);
  }
  c.tied_embeddings = family && family->tied_default;
  if (auto v = field(root, {"tie_word_embeddings"})) c.tied_embeddings = v->as_bool();
  read_family(root, model_type, c, notes);
  c.dropout = read_dropout(root, model_type);

  if (c.hidden % c.heads != 0) {
    const JsonNode heads = *field(root, {"num_attention_heads", "n_head"});
    heads.fail(
        fmt::format("a divisor of hidden_size ({}): cirrus models heads of hidden_size / "
                    "heads",
                    c.hidden));
  }
  if (c.kv_heads > c.heads || c.heads % c.kv_heads != 0) {
    field(root, {"num_key_value_heads"})
        ->fail(fmt::format("a divisor of num_attention_heads ({})", c.heads));
  }
  read_moe(root, c, notes);
  note_unrepresented(root, c, notes);
  if (!notes.empty()) c.approximation = fmt::format("{}: {}", c.name, fmt::join(notes, "; "));
  return out;
}

}  // namespace cirrus::scenarios
