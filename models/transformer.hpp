#pragma once
// Dense (and, later, MoE) decoder-only transformer shapes, and presets for published models.
#include <optional>
#include <string>
#include <vector>

namespace cirrus::models {

enum class FfnKind { kGelu, kSwiglu };
const char* to_string(FfnKind f);

struct MoeConfig {
  int experts = 0;
  int top_k = 1;
  int layer_freq = 1;  // every layer_freq-th layer is MoE
  long expert_ffn_hidden = 0;
  double capacity_factor = 1.0;
  double imbalance = 0.0;
};

struct TransformerConfig {
  std::string name;
  int layers = 0;
  long hidden = 0;
  int heads = 0;
  int kv_heads = 0;  // == heads for MHA
  long ffn_hidden = 0;
  FfnKind ffn = FfnKind::kGelu;
  long vocab = 0;
  long seq_len = 0;
  bool tied_embeddings = false;
  std::optional<MoeConfig> moe;
  std::string source;  // where the preset's shape comes from

  long head_dim() const { return hidden / heads; }
  // Parameter count of the whole model (embeddings and final norm included).
  double parameters() const;
  // Megatron-LM's model FLOPs per sequence for forward + backward without recomputation
  // (72 b s l h^2 (1 + s/6h + V/12lh) generalised to GQA and SwiGLU): see transformer.cpp.
  double model_flops_per_sequence() const;
};

std::optional<TransformerConfig> find_model(const std::string& id);
std::vector<std::string> model_ids();

}  // namespace cirrus::models
