#pragma once
// Dense and mixture-of-experts decoder-only transformer shapes, and presets for published
// models.
#include <optional>
#include <string>
#include <vector>
#include "common/enum_names.hpp"

#include "models/workload/moe.hpp"

namespace cirrus::models {

enum class FfnKind { kGelu, kSwiglu };
const char* to_string(FfnKind f);
// The spellings of CONTRACT.md's `model.ffn`.
inline constexpr EnumNames<FfnKind, 2> kFfnKindNames = {
    {{FfnKind::kGelu, "gelu"}, {FfnKind::kSwiglu, "swiglu"}}};

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
  // Llama-style models (rotary position embeddings, RMSNorm) against GPT-style ones (learned
  // positions, LayerNorm): what element-wise kernels a layer runs beside its GEMMs and attention.
  bool rotary = false;
  bool rmsnorm = false;
  // Trained with dropout (Megatron-LM's GPT default, hidden and attention dropout 0.1): each
  // dropout keeps a 1-byte mask for the backward pass and costs a pass. Llama-family, MPT, BLOOM
  // and Nemotron train without dropout, and PyTorch's dropout with p = 0 returns its input.
  bool dropout = false;
  std::optional<MoeConfig> moe;
  std::string source;  // where the preset's shape comes from
  // What the preset only approximates (empty when nothing): reported as an assumption.
  std::string approximation;

  long head_dim() const { return hidden / heads; }
  // Width of the K (and of the V) projection: kv_heads x head_dim (== hidden for MHA; a
  // kv_heads of 0, i.e. not set, reads as MHA).
  long kv_dim() const { return static_cast<long>(kv_heads > 0 ? kv_heads : heads) * head_dim(); }
  // Weight matrices in one FFN: 2 for GeLU (up, down), 3 for SwiGLU (gate, up, down).
  int ffn_matrices() const { return ffn == FfnKind::kSwiglu ? 3 : 2; }
  // Whether layer `layer` (0-based) is an MoE layer: Megatron-LM's pattern for
  // --moe-layer-freq N puts experts in layers 0, N, 2N, ...; layers before
  // moe->first_dense_layers stay dense (DeepSeek's first_k_dense_replace); false for dense
  // models.
  bool is_moe_layer(int layer) const;
  // FFN width of one expert (moe->expert_ffn_hidden, or ffn_hidden when that is 0).
  long expert_ffn_hidden() const;
  // Parameters of one transformer layer (attention, FFN or routed + shared experts + router,
  // two norms).
  double layer_parameters(int layer) const;
  // Parameter count of the whole model (embeddings and final norm included).
  double parameters() const;
  // Parameters a token passes through (routed experts counted top_k times, not `experts`).
  double active_parameters() const;
  // Megatron-LM's model FLOPs per sequence for forward + backward without recomputation
  // (72 b s l h^2 (1 + s/6h + V/12lh) generalised to GQA and SwiGLU): see transformer.cpp.
  double model_flops_per_sequence() const;
};

std::optional<TransformerConfig> find_model(const std::string& id);
std::vector<std::string> model_ids();

}  // namespace cirrus::models
