// Decoder-only transformer shapes: parameter counts, Megatron-LM model FLOPs, and presets of
// published models (each with the paper or model card its shape comes from).
#include "models/transformer.hpp"

#include <vector>

namespace cirrus::models {

const char* to_string(FfnKind f) {
  // The spellings of CONTRACT.md's `model.ffn`.
  switch (f) {
    case FfnKind::kGelu:
      return "gelu";
    case FfnKind::kSwiglu:
      return "swiglu";
  }
  return "unknown";
}

bool TransformerConfig::is_moe_layer(int layer) const {
  if (!moe || moe->experts <= 0) return false;
  const int freq = moe->layer_freq > 0 ? moe->layer_freq : 1;
  // Megatron-LM (megatron/core, --moe-layer-freq as an int): pattern [1 if i % freq == 0].
  return layer % freq == 0;
}

long TransformerConfig::expert_ffn_hidden() const {
  if (moe && moe->expert_ffn_hidden > 0) return moe->expert_ffn_hidden;
  return ffn_hidden;
}

// Parameter counting, kept simple on purpose:
//   attention  Q and O: h x h each; K and V: h x kv_dim each (grouped-query attention shrinks
//              K and V only)
//   FFN        ffn_matrices() x h x f (GeLU: up + down; SwiGLU: gate + up + down)
//   MoE FFN    experts x ffn_matrices() x h x f_expert, plus the router h x experts
//   norms      2 per layer, 2h each (LayerNorm weight + bias; RMSNorm has only h, a difference
//              below 1e-5 of any preset's total)
// Linear-layer biases (GPT-style, about 9h per layer: < 1e-5 of GPT-3 175B) and learned
// position embeddings (s x h: 25M of GPT-3's 175B, 0.014%) are not counted; Llama-style models
// have neither.
double TransformerConfig::layer_parameters(int layer) const {
  const double h = static_cast<double>(hidden);
  const double attention = 2.0 * h * h + 2.0 * h * static_cast<double>(kv_dim());
  const double norms = 2.0 * 2.0 * h;
  double ffn_params = 0;
  if (is_moe_layer(layer)) {
    const double experts = moe->experts;
    ffn_params = experts * ffn_matrices() * h * static_cast<double>(expert_ffn_hidden()) +
                 h * experts;  // router
  } else {
    ffn_params = ffn_matrices() * h * static_cast<double>(ffn_hidden);
  }
  return attention + ffn_params + norms;
}

double TransformerConfig::parameters() const {
  const double h = static_cast<double>(hidden);
  const double v = static_cast<double>(vocab);
  // Input embedding, plus the output projection unless it shares the embedding's weights.
  double total = v * h * (tied_embeddings ? 1.0 : 2.0);
  for (int i = 0; i < layers; ++i) total += layer_parameters(i);
  total += 2.0 * h;  // final norm
  return total;
}

// Model FLOPs as Megatron-LM counts them (Narayanan et al., SC'21, eq. for F): 2 FLOPs per
// multiply-add, forward + backward = 3 x forward (backward computes the gradients of both the
// inputs and the weights), no recomputation, attention scores over the full s x s square (no
// causal halving). Per layer, forward:
//   GEMMs      2 s (h h [Q] + 2 h kv_dim [K, V] + h h [O] + n_mats h f [FFN])
//   attention  2 s s h [Q K^T] + 2 s s h [scores x V]  (all query heads, also under GQA)
// plus the logits 2 s h V once. For MHA and GeLU with f = 4h this is exactly
//   72 s l h^2 (1 + s/(6h) + V/(12 l h))   per sequence,
// which tests/unit/models/transformer_test.cpp asserts. MoE layers count the FLOPs a token
// really does: top_k experts of width f_expert, plus the router's h x experts GEMM.
double TransformerConfig::model_flops_per_sequence() const {
  const double s = static_cast<double>(seq_len);
  const double h = static_cast<double>(hidden);
  const double kv = static_cast<double>(kv_dim());
  double forward = 0;
  for (int i = 0; i < layers; ++i) {
    double ffn_macs_per_token = 0;  // multiply-adds per token in the FFN
    if (is_moe_layer(i)) {
      ffn_macs_per_token =
          moe->top_k * ffn_matrices() * h * static_cast<double>(expert_ffn_hidden()) +
          h * moe->experts;
    } else {
      ffn_macs_per_token = ffn_matrices() * h * static_cast<double>(ffn_hidden);
    }
    const double gemm_macs_per_token = h * h + 2.0 * h * kv + h * h + ffn_macs_per_token;
    forward += 2.0 * s * gemm_macs_per_token + 2.0 * 2.0 * s * s * h;
  }
  forward += 2.0 * s * h * static_cast<double>(vocab);
  return 3.0 * forward;
}

namespace {

// GPT-3 family: Brown et al. 2020, "Language Models are Few-Shot Learners"
// (arXiv:2005.14165), Table 2.1; ffn = 4 d_model, input and output embeddings tied (as GPT-2
// and Megatron-LM's GPT). Vocabulary: GPT-2's BPE has 50,257 tokens; Megatron-LM pads it and
// its SC'21 paper (Narayanan et al., arXiv:2104.04473) uses V = 51,200, which we take so the
// FLOPs match Megatron's published counts.
TransformerConfig gpt(const char* name, int layers, long hidden, int heads) {
  TransformerConfig m;
  m.name = name;
  m.layers = layers;
  m.hidden = hidden;
  m.heads = heads;
  m.kv_heads = heads;
  m.ffn_hidden = 4 * hidden;
  m.ffn = FfnKind::kGelu;
  m.vocab = 51200;
  m.seq_len = 2048;
  m.tied_embeddings = true;
  m.source =
      "Brown et al. 2020 (arXiv:2005.14165) Table 2.1; vocab 51,200 = GPT-2's 50,257 padded as "
      "in Megatron-LM (Narayanan et al. 2021, arXiv:2104.04473)";
  return m;
}

TransformerConfig llama(const char* name, int layers, long hidden, int heads, int kv_heads,
                        long ffn_hidden, long vocab, long seq_len, const char* source) {
  TransformerConfig m;
  m.name = name;
  m.layers = layers;
  m.hidden = hidden;
  m.heads = heads;
  m.kv_heads = kv_heads;
  m.ffn_hidden = ffn_hidden;
  m.ffn = FfnKind::kSwiglu;
  m.vocab = vocab;
  m.seq_len = seq_len;
  m.tied_embeddings = false;  // Llama 2/3 have a separate output projection
  m.source = source;
  return m;
}

constexpr const char* kLlama2Source =
    "Touvron et al. 2023, Llama 2 (arXiv:2307.09288); shapes as in Meta's released "
    "config.json (intermediate_size, num_key_value_heads); training context 4,096";
constexpr const char* kLlama3Source =
    "Llama Team 2024, The Llama 3 Herd of Models (arXiv:2407.21783) Table 3; vocab 128,256 as "
    "in Meta's released config.json; pre-training sequence length 8,192";

std::vector<TransformerConfig> make_models() {
  std::vector<TransformerConfig> models;
  models.push_back(gpt("gpt3-175b", 96, 12288, 96));
  // GPT-3 XL: Table 2.1 lists 24 heads of d_head 128, which do not make d_model 2048; we keep
  // the table's d_head 128, i.e. 16 heads (heads change only the attention-score memory).
  models.push_back(gpt("gpt-1.3b", 24, 2048, 16));
  models.push_back(gpt("gpt-2.7b", 32, 2560, 32));  // GPT-3 2.7B: 32 heads x 80
  models.push_back(llama("llama2-7b", 32, 4096, 32, 32, 11008, 32000, 4096, kLlama2Source));
  models.push_back(llama("llama2-70b", 80, 8192, 64, 8, 28672, 32000, 4096, kLlama2Source));
  models.push_back(llama("llama3-8b", 32, 4096, 32, 8, 14336, 128256, 8192, kLlama3Source));
  models.push_back(llama("llama3-70b", 80, 8192, 64, 8, 28672, 128256, 8192, kLlama3Source));
  models.push_back(llama("llama3-405b", 126, 16384, 128, 8, 53248, 128256, 8192, kLlama3Source));
  {
    // Mixtral supports a 32k context; 4,096 is the default training sequence here (an
    // assumption, not from the paper).
    TransformerConfig m = llama("mixtral-8x7b", 32, 4096, 32, 8, 14336, 32000, 4096,
                                "Jiang et al. 2024, Mixtral of Experts (arXiv:2401.04088) "
                                "Table 1; training sequence 4,096 is cirrus's default, not the "
                                "paper's (32k context)");
    MoeConfig moe;
    moe.experts = 8;
    moe.top_k = 2;
    moe.layer_freq = 1;  // every layer's FFN is a mixture of experts
    moe.expert_ffn_hidden = 14336;
    // Mixtral routes without dropping tokens, so it has no capacity factor; 1.25 is the
    // token-dropping default of Switch Transformer / GShard-style training, used only if a
    // capacity limit is modelled.
    moe.capacity_factor = 1.25;
    moe.imbalance = 0.0;  // perfectly balanced routing unless a scenario says otherwise
    m.moe = moe;
    models.push_back(m);
  }
  return models;
}

const std::vector<TransformerConfig>& models() {
  static const std::vector<TransformerConfig> kModels = make_models();
  return kModels;
}

}  // namespace

std::optional<TransformerConfig> find_model(const std::string& id) {
  for (const TransformerConfig& m : models()) {
    if (m.name == id) return m;
  }
  return std::nullopt;
}

std::vector<std::string> model_ids() {
  std::vector<std::string> ids;
  for (const TransformerConfig& m : models()) ids.push_back(m.name);
  return ids;
}

}  // namespace cirrus::models
