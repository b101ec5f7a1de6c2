#pragma once
// A Megatron-LM `pretrain_gpt.py` command line, read into what a scenario needs
// (`cirrus scenario from-megatron`, CONTRACT.md). Argument names and defaults: NVIDIA/Megatron-LM
// tag core_v0.15.3 megatron/training/arguments.py, as summarised in
// shared/reference/formats.md section (c); the few read from outside that list are marked in
// megatron_args.cpp.
//
// Read as argparse does: `--flag value` or `--flag=value`, a later flag winning over an earlier
// one. A launcher before the script (`torchrun ... pretrain_gpt.py`) is skipped. Every flag not
// read (data, tokenizer, learning rate, checkpoints, logging, ...) is listed in `ignored`, with
// the values that followed it skipped; it is not an error.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cirrus::scenarios {

// The label errors name as their file: "megatron arguments: --hidden-size: expected ...".
inline constexpr const char* kMegatronArgsLabel = "megatron arguments";

struct MegatronArgs {
  // model shape (required: layers, hidden, heads, seq_length; a vocabulary size)
  int num_layers = 0;
  std::int64_t hidden_size = 0;
  int num_attention_heads = 0;
  bool group_query_attention = false;
  std::optional<int> num_query_groups;
  std::optional<std::int64_t> ffn_hidden_size;  // default 4 x hidden (without --swiglu)
  std::int64_t seq_length = 0;
  std::optional<std::int64_t> max_position_embeddings;
  std::optional<std::int64_t> vocab_size;         // --vocab-size: padded as Megatron-LM pads
  std::optional<std::int64_t> padded_vocab_size;  // --padded-vocab-size: taken as it is
  int make_vocab_size_divisible_by = 128;
  bool swiglu = false;
  std::string normalization = "LayerNorm";
  std::string position_embedding_type = "learned_absolute";
  bool untie_embeddings_and_output_weights = false;
  double attention_dropout = 0.1;
  double hidden_dropout = 0.1;
  // MoE
  std::optional<int> num_experts;
  int moe_router_topk = 2;
  std::optional<std::int64_t> moe_ffn_hidden_size;
  std::optional<std::int64_t> moe_shared_expert_intermediate_size;
  std::string moe_layer_freq = "1";  // an integer N or a list "[1,0,...]" as given
  std::string moe_token_dispatcher_type = "allgather";
  // parallelism
  int tensor_model_parallel_size = 1;
  int pipeline_model_parallel_size = 1;
  int context_parallel_size = 1;
  int expert_model_parallel_size = 1;
  std::optional<int> num_layers_per_virtual_pipeline_stage;
  std::optional<int> num_virtual_stages_per_pipeline_rank;
  bool sequence_parallel = false;
  bool use_distributed_optimizer = false;
  bool overlap_grad_reduce = false;
  bool tp_comm_overlap = false;
  std::string recompute_granularity;  // "", "full" or "selective"
  std::string recompute_method;       // "", "uniform" or "block"
  std::optional<int> recompute_num_layers;
  // batch and length of the run
  int micro_batch_size = 0;  // required
  std::optional<std::int64_t> global_batch_size;
  std::optional<std::int64_t> train_iters;
  std::optional<std::int64_t> train_samples;
  // precision
  bool bf16 = false;
  bool fp16 = false;
  std::optional<std::string> fp8_format;  // "e4m3" or "hybrid"

  std::vector<std::string> ignored;  // flags not read, each once, in the order given
  std::string launcher;              // what came before the script, when there was one
};

// Throws InputError (file kMegatronArgsLabel, path the flag) for a value of the wrong kind, a
// required flag missing, two flags Megatron-LM refuses together, or a stray word.
MegatronArgs parse_megatron_args(const std::vector<std::string>& args);

}  // namespace cirrus::scenarios
