// Decoder-only transformer shapes: parameter counts, Megatron-LM model FLOPs, and presets of
// published models (each with the paper or model card its shape comes from).
#include "models/workload/transformer.hpp"
#include "common/enum_names.hpp"

#include <algorithm>
#include <vector>

namespace cirrus::models {

const char* to_string(FfnKind f) { return name_in(kFfnKindNames, f); }

bool TransformerConfig::is_moe_layer(int layer) const {
  if (!moe || moe->experts <= 0) return false;
  if (layer < moe->first_dense_layers) return false;
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
namespace {

// FFN parameters of one layer: all experts (`active` false) or those one token uses (top_k
// routed experts; `active` true). Shared experts are always active; the router is h x experts.
double ffn_parameters(const TransformerConfig& m, int layer, bool active) {
  const double h = static_cast<double>(m.hidden);
  const double mats = m.ffn_matrices();
  if (!m.is_moe_layer(layer)) return mats * h * static_cast<double>(m.ffn_hidden);
  const double routed = active ? m.moe->top_k : m.moe->experts;
  const double experts = routed + std::max(0, m.moe->shared_experts);
  return experts * mats * h * static_cast<double>(m.expert_ffn_hidden()) + h * m.moe->experts;
}

double attention_and_norms(const TransformerConfig& m) {
  const double h = static_cast<double>(m.hidden);
  return 2.0 * h * h + 2.0 * h * static_cast<double>(m.kv_dim()) + 2.0 * 2.0 * h;
}

double total_parameters(const TransformerConfig& m, bool active) {
  const double h = static_cast<double>(m.hidden);
  const double v = static_cast<double>(m.vocab);
  // Input embedding, plus the output projection unless it shares the embedding's weights.
  double total = v * h * (m.tied_embeddings ? 1.0 : 2.0);
  for (int i = 0; i < m.layers; ++i) total += attention_and_norms(m) + ffn_parameters(m, i, active);
  total += 2.0 * h;  // final norm
  return total;
}

}  // namespace

double TransformerConfig::layer_parameters(int layer) const {
  return attention_and_norms(*this) + ffn_parameters(*this, layer, false);
}

double TransformerConfig::parameters() const { return total_parameters(*this, false); }

double TransformerConfig::active_parameters() const { return total_parameters(*this, true); }

// Model FLOPs as Megatron-LM counts them (Narayanan et al., SC'21, eq. for F): 2 FLOPs per
// multiply-add, forward + backward = 3 x forward (backward computes the gradients of both the
// inputs and the weights), no recomputation, attention scores over the full s x s square (no
// causal halving). Per layer, forward:
//   GEMMs      2 s (h h [Q] + 2 h kv_dim [K, V] + h h [O] + n_mats h f [FFN])
//   attention  2 s s h [Q K^T] + 2 s s h [scores x V]  (all query heads, also under GQA)
// plus the logits 2 s h V once. For MHA and GeLU with f = 4h this is exactly
//   72 s l h^2 (1 + s/(6h) + V/(12 l h))   per sequence,
// which tests/unit/models/transformer_test.cpp asserts. MoE layers count the FLOPs a token
// really does: top_k routed and the shared experts of width f_expert, plus the router's
// h x experts GEMM.
double TransformerConfig::model_flops_per_sequence() const {
  const double s = static_cast<double>(seq_len);
  const double h = static_cast<double>(hidden);
  const double kv = static_cast<double>(kv_dim());
  double forward = 0;
  for (int i = 0; i < layers; ++i) {
    double ffn_macs_per_token = 0;  // multiply-adds per token in the FFN
    // MoE layers: the top_k routed and the shared experts plus the router (active
    // parameters only, so MFU is not inflated by experts a token never visits).
    ffn_macs_per_token = ffn_parameters(*this, i, true);
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
  m.dropout = true;  // Megatron-LM's defaults (--hidden-dropout 0.1 --attention-dropout 0.1)
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
  // Rotary embeddings, RMSNorm, no dropout (Touvron et al. 2023, Sec. 2; Meta's reference
  // model.py).
  m.rotary = true;
  m.rmsnorm = true;
  m.dropout = false;
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
    // Mixtral 8x7B: Llama-2-7B-like trunk with every FFN replaced by 8 SwiGLU experts of
    // width 14,336, top-2 routing (Jiang et al. 2024, Table 1; mistralai/Mixtral-8x7B-v0.1
    // config.json: num_local_experts 8, num_experts_per_tok 2, intermediate_size 14336).
    // Mixtral supports a 32k context; 4,096 is the default training sequence here (an
    // assumption, not from the paper).
    TransformerConfig m = llama("mixtral-8x7b", 32, 4096, 32, 8, 14336, 32000, 4096,
                                "Jiang et al. 2024, Mixtral of Experts (arXiv:2401.04088) "
                                "Table 1 and the released config.json; training sequence 4,096 "
                                "is cirrus's default, not the paper's (32k context)");
    MoeConfig moe;
    moe.experts = 8;
    moe.top_k = 2;
    moe.layer_freq = 1;  // every layer's FFN is a mixture of experts
    moe.expert_ffn_hidden = 14336;
    // Mixtral is trained dropless (MegaBlocks-style, no capacity limit; the paper describes no
    // token dropping), so drop_tokens is false and the capacity factor only bounds buffers.
    moe.capacity_factor = 1.25;
    moe.drop_tokens = false;
    moe.imbalance = 0.0;  // perfectly balanced routing unless a scenario says otherwise
    m.moe = moe;
    models.push_back(m);
  }
  {
    // DeepSpeed-MoE's 1.3B+MoE-128 (Rajbhandari et al. 2022, "DeepSpeed-MoE", arXiv:2201.05596,
    // Table 1): the GPT-3 1.3B dense base (24 layers, d 2048, 16 heads) with 128 experts on
    // every other layer and top-1 gating; each expert is a whole GeLU FFN (4 x 2048 = 8192).
    // Capacity factor 1.0 with token dropping is DeepSpeed's MoE layer default
    // (deepspeed.moe.layer.MoE: capacity_factor=1.0, drop_tokens=True); its top-1 gating
    // dispatches with an einsum into [experts, capacity, h] buffers, i.e. padded to capacity.
    TransformerConfig m = gpt("gpt-1.3b-moe-128", 24, 2048, 16);
    m.source =
        "Rajbhandari et al. 2022, DeepSpeed-MoE (arXiv:2201.05596) Table 1 (1.3B+MoE-128); "
        "capacity factor and dropping are DeepSpeed's MoE layer defaults; vocab 51,200 as "
        "Megatron-LM pads GPT-2's";
    MoeConfig moe;
    moe.experts = 128;
    moe.top_k = 1;
    moe.layer_freq = 2;
    moe.expert_ffn_hidden = 8192;
    moe.capacity_factor = 1.0;
    moe.drop_tokens = true;
    moe.pad_to_capacity = true;
    m.moe = moe;
    models.push_back(m);
  }
  {
    // DeepSeek-V3 (DeepSeek-AI 2024, "DeepSeek-V3 Technical Report", arXiv:2412.19437, Sec. 4.2
    // and the released config.json): 61 layers, d 7168, 128 heads, SwiGLU; the first 3 layers
    // dense with FFN 18,432 (first_k_dense_replace 3), the rest DeepSeekMoE with 1 shared and
    // 256 routed experts of width 2,048, 8 active per token; vocab 129,280; pre-training
    // sequence 4,096; no token dropping in training (Sec. 3.2.2 of the report, "No
    // Token-Dropping"). APPROXIMATION: Multi-head Latent Attention is modelled as plain
    // multi-head attention with 128 heads of d/heads = 56 (MLA's low-rank KV compression and
    // its 192/128-wide query-key/value heads are not represented), and the multi-token-
    // prediction module is left out; attention FLOPs, weights and KV memory differ from MLA's.
    TransformerConfig m = llama("deepseek-v3", 61, 7168, 128, 128, 18432, 129280, 4096,
                                "DeepSeek-AI 2024, DeepSeek-V3 Technical Report "
                                "(arXiv:2412.19437) and the released config.json; MLA "
                                "approximated as 128-head MHA, MTP module omitted");
    MoeConfig moe;
    m.approximation =
        "deepseek-v3: Multi-head Latent Attention approximated as 128-head MHA of width d/heads = "
        "56 (attention FLOPs, weights and KV memory differ from MLA's); multi-token prediction "
        "module omitted";
    moe.experts = 256;
    moe.top_k = 8;
    moe.layer_freq = 1;
    moe.first_dense_layers = 3;
    moe.expert_ffn_hidden = 2048;
    moe.shared_experts = 1;
    moe.capacity_factor = 1.0;
    moe.drop_tokens = false;
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
