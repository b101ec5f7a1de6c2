#pragma once
// Fine-tuning methods beside full training (CONTRACT.md, `training.finetune`): LoRA (Hu et al.
// 2021, arXiv:2106.09685) and QLoRA (Dettmers et al. 2023, arXiv:2305.14314). Both freeze the
// base weights (no weight gradients, no optimizer states, no weight-gradient GEMMs for them) and
// train low-rank adapters W + B A (A: r x d_in, B: d_out x r) beside chosen linear layers; QLoRA
// keeps the frozen weights in 4-bit NormalFloat and dequantizes them to 16 bits for every GEMM.
// This header is the shape arithmetic every other part reads: which matrices carry adapters,
// how many parameters they hold, what a frozen weight costs per parameter, and the FLOPs the
// step executes.
#include <array>
#include <string>
#include <vector>
#include "common/enum_names.hpp"

#include "models/hardware/precision.hpp"
#include "models/workload/transformer.hpp"

namespace cirrus::models {

enum class FinetuneMethod { kFull, kLora, kQlora };
inline constexpr EnumNames<FinetuneMethod, 3> kFinetuneMethodNames = {
    {{FinetuneMethod::kFull, "full"},
     {FinetuneMethod::kLora, "lora"},
     {FinetuneMethod::kQlora, "qlora"}}};
const char* to_string(FinetuneMethod m);

// The linear layers of a transformer block an adapter can sit beside (PEFT's target_modules of a
// Llama model: q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj).
enum class LoraTarget { kQ, kK, kV, kO, kGate, kUp, kDown };
inline constexpr EnumNames<LoraTarget, 7> kLoraTargetNames = {{{LoraTarget::kQ, "q"},
                                                               {LoraTarget::kK, "k"},
                                                               {LoraTarget::kV, "v"},
                                                               {LoraTarget::kO, "o"},
                                                               {LoraTarget::kGate, "gate"},
                                                               {LoraTarget::kUp, "up"},
                                                               {LoraTarget::kDown, "down"}}};
inline constexpr int kLoraTargetCount = 7;
using LoraTargets = std::array<bool, kLoraTargetCount>;  // indexed by LoraTarget
// "attention": q, k, v, o; "all-linear": every linear layer of the block (PEFT's "all-linear",
// which leaves the output layer out).
LoraTargets attention_targets();
LoraTargets all_linear_targets();
// "q,v" style, in table order.
std::string targets_text(const LoraTargets& t);

struct Finetune {
  FinetuneMethod method = FinetuneMethod::kFull;
  int rank = 16;
  LoraTargets targets{};  // all false under kFull
  // Bits per frozen weight of the block's linear layers: 16 (or 32 in fp32 training) as trained,
  // 8 (LLM.int8) or 4 (NF4). The embeddings, the output layer and the norms stay in the training
  // precision (bitsandbytes quantizes nn.Linear modules and transformers keeps the output layer
  // out: get_keys_to_not_convert; recalled, unverified).
  int base_bits = 16;
  std::string preset;  // the preset name the scenario gave, empty when spelled out

  // The base weights are frozen and adapters trained (LoRA and QLoRA).
  bool frozen_base() const { return method != FinetuneMethod::kFull; }
  bool adapts(LoraTarget x) const { return targets[static_cast<int>(x)]; }
};

// ---- Presets: the common recipes (`"finetune": "NAME"`). ----
struct FinetunePreset {
  const char* id;
  Finetune finetune;  // base_bits 0: the training precision's
  const char* source;
};
const std::vector<FinetunePreset>& finetune_presets();

// QLoRA's double quantization: the 4-bit NF4 weights carry one fp32 constant per block of 64,
// itself quantized to 8 bits with one fp32 constant per 256 of those: 8/64 + 32/(64 x 256) =
// 0.127 bits per parameter (Dettmers et al. 2023, Sec. 3 "Double Quantization", which states
// 0.127 bits).
inline constexpr double kNf4ConstantBits = 8.0 / 64.0 + 32.0 / (64.0 * 256.0);
// Bits per frozen linear weight, constants included: NF4 4 + 0.127 (double quantization); 8-bit
// LLM.int8 8 (its per-row fp32 scale, 32 / d_in bits, under 0.01 bits for d_in >= 4096, is not
// counted); 16 or 32 as stored.
double frozen_weight_bits(int base_bits);

// The adapter's own state per trainable parameter, as PEFT keeps it: the LoRA weights in fp32
// beside a 16-bit base (peft's autocast_adapter_dtype, default on: adapters upcast to fp32;
// recalled, unverified), so the fp32 weights are the optimizer's own (no master copy), fp32
// gradients, and the optimizer's fp32 states (Adam m and v, 8; SGD momentum, 4).
inline constexpr double kAdapterParamBytes = 4.0;
inline constexpr double kAdapterGradBytes = 4.0;
double adapter_optimizer_bytes(bool adam);

// One adapted matrix: its input and output widths on one GPU. Under tensor parallelism an
// adapter follows its base layer: beside a column-parallel layer (q, k, v, gate, up) A sees the
// whole input and B writes the local output columns; beside a row-parallel one (o, down) A
// reads the local input rows and B writes the whole (partial-sum) output, which the layer's
// existing all-reduce / reduce-scatter sums (B (sum_r A_r x_r) = B A x: no collective of its
// own). tp = 1: the model's widths.
struct AdaptedMatrix {
  LoraTarget target;
  double d_in = 0, d_out = 0;
};
// The adapted matrices of one dense transformer layer, in the block's order (a GeLU FFN has no
// gate: that target adds nothing there).
std::vector<AdaptedMatrix> adapted_matrices(const TransformerConfig& m, const Finetune& f,
                                            int tp = 1);
// Trainable parameters of one layer on one GPU: rank x (d_in + d_out) per adapted matrix.
double adapter_layer_parameters(const TransformerConfig& m, const Finetune& f, int tp = 1);
// Trainable parameters of the whole model (0 under full fine-tuning: see trainable_parameters).
double adapter_parameters(const TransformerConfig& m, const Finetune& f);
// Parameters the optimizer updates: every parameter (full) or the adapters.
double trainable_parameters(const TransformerConfig& m, const Finetune& f);
// Weights of the GEMMs of one dense layer, all tensor-parallel shards together (q, k, v, o and
// the FFN: what bitsandbytes quantizes); the two norms are the rest of the layer.
double layer_linear_parameters(const TransformerConfig& m);

// The model FLOPs one sequence executes in a step (MFU's numerator; CONTRACT.md): under full
// training TransformerConfig::model_flops_per_sequence (3 x forward). With frozen base weights
// the weight-gradient GEMMs are not run: forward F_lin + F_att + F_out, backward the input
// gradients of the linear layers and of the output layer (1 x their forward) and the attention
// core's two gradients (2 x F_att, activations both), plus the adapters, 3 x their forward
// 2 s r (d_in + d_out) per matrix (forward, input and weight gradients).
double finetune_flops_per_sequence(const TransformerConfig& m, const Finetune& f);

}  // namespace cirrus::models
