#pragma once
// A model's shape from a Hugging Face transformers `config.json` (CONTRACT.md, "Scenario",
// `model.hf_config`). The config is the model's published description, so a scenario can name
// the file it downloaded instead of copying its numbers.
//
// Read (others, dozens in real files, are ignored):
//   num_hidden_layers, hidden_size, num_attention_heads   (GPT-2: n_layer, n_embd, n_head)
//   num_key_value_heads        default num_attention_heads (multi-head attention)
//   intermediate_size          (GPT-2: n_inner, null = 4 x hidden)
//   vocab_size, model_type, max_position_embeddings (GPT-2: n_positions)
//   tie_word_embeddings        default false, true for the families whose class defaults it so
//   hidden_act                 (GPT-2: activation_function)
//   MoE: num_local_experts | num_experts | n_routed_experts, num_experts_per_tok,
//        moe_intermediate_size, shared_expert_intermediate_size, n_shared_experts,
//        first_k_dense_replace, moe_layer_freq | decoder_sparse_step, mlp_only_layers
//   _name_or_path              the display name, when present
//   and the keys of what cirrus cannot represent (head_dim, MLA's kv_lora_rank, sliding_window,
//   num_nextn_predict_layers), which are reported in the model's `approximation`.
// A JSON null reads as an absent key (transformers writes None that way). Every error names the
// config file and the key.
#include <cstdint>
#include <optional>

#include "models/workload/transformer.hpp"

namespace cirrus {
class JsonNode;
}  // namespace cirrus

namespace cirrus::scenarios {

// The longest `max_position_embeddings` taken as the training sequence length when the
// scenario gives none: beyond it the config states a long-context capability (Llama 3.1:
// 131,072), not the length the model is trained at, and the scenario must say.
inline constexpr std::int64_t kMaxContextAsSeqLen = 16384;

struct HfModel {
  models::TransformerConfig model;  // seq_len left 0: the scenario decides (read_model)
  std::optional<std::int64_t> max_position_embeddings;
};

// Reads the parsed config.json at `root` (root.file() is the config's path, for errors).
// Throws InputError for a missing required key, a wrong type, a non-positive value or one past
// the scenario limits (scenarios/limits.hpp), and for a shape cirrus cannot simulate (heads not
// dividing hidden_size, an unsound MoE block).
HfModel read_hf_config(const JsonNode& root);

}  // namespace cirrus::scenarios
