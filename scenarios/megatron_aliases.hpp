#pragma once
// Megatron-LM / NeMo names accepted in a scenario as aliases of cirrus's own fields
// (CONTRACT.md, "Megatron-LM names in a scenario"). A user who knows
// `tensor_model_parallel_size` may write it inside `strategy`; the loader reads it as
// `strategy.tp` and says so once on stderr. Giving an alias and the field it stands for is an
// error naming both.
//
// The names are the destinations of Megatron-LM's arguments (`--tensor-model-parallel-size`
// -> `tensor_model_parallel_size`), which are also the fields of Megatron Core's
// ModelParallelConfig / TransformerConfig dataclasses that NeMo's configurations use:
// NVIDIA/Megatron-LM core_v0.15.3 megatron/training/arguments.py, as summarised in
// shared/reference/formats.md section (c).
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/input_error.hpp"

namespace cirrus::scenarios {

// How an alias's value becomes the cirrus field's.
enum class AliasKind {
  kRename,                 // the same value under cirrus's name
  kRecompute,              // "full" | "selective" -> recompute, the same word
  kDistributedOptimizer,   // true -> zero 1, false -> zero 0
  kPrecision,              // bf16 / fp16 (booleans), fp8_format / fp8 ("e4m3" | "hybrid")
  kVirtualStages,          // N -> schedule "interleaved" and virtual_stages N (N > 1)
  kLayersPerVirtualStage,  // L -> virtual_stages = layers / (pp x L)
  kSwiglu,                 // true -> ffn "swiglu", false -> "gelu"
  kTrainIters,             // N -> tokens = N x global_batch x seq_len
  kTrainSamples,           // S -> tokens = S x seq_len
};

struct MegatronAlias {
  const char* block;  // "model", "training" or "strategy"
  const char* name;   // the key a scenario may give
  const char* field;  // the cirrus field it is read as, below the block ("tp", "moe.experts")
  AliasKind kind;
  const char* origin;  // said in the hint: "Megatron-LM name", ...
};

// Every alias, by block, in the order they are applied.
const std::vector<MegatronAlias>& megatron_aliases();

// What the loader needs to convert values that depend on the model.
struct AliasContext {
  int layers = 0;    // model.layers (for num_layers_per_virtual_pipeline_stage)
  long seq_len = 0;  // model.seq_len (for train_iters, train_samples)
};

// One alias read: the cirrus path it was written to and the path the user gave, so that an
// error found later at the cirrus path names the user's key.
struct AliasUse {
  std::string field_path;  // "strategy.tp"
  std::string alias_path;  // "strategy.tensor_model_parallel_size"
};

struct AliasResult {
  std::vector<AliasUse> uses;
  std::vector<std::string> hints;  // "FILE: PATH: read as FIELD (Megatron-LM name)", one per alias
};

// Replaces, in the object `block` (the scenario's `block_name` block of `file`), each alias by
// the field it stands for, its value converted. Throws InputError naming the alias's path for a
// value of the wrong kind, and naming both paths when the alias and its field are both given.
AliasResult rewrite_megatron_aliases(nlohmann::json& block, const std::string& file,
                                     const std::string& block_name, const AliasContext& context);

// The error `e` with its path moved to the alias the user wrote, when it names a field an alias
// was read as (or a key below it); nothing otherwise.
std::optional<InputError> alias_error(const InputError& e, const std::vector<AliasUse>& uses);

}  // namespace cirrus::scenarios
