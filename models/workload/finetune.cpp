#include "models/workload/finetune.hpp"

namespace cirrus::models {

const char* to_string(FinetuneMethod m) { return name_in(kFinetuneMethodNames, m); }

LoraTargets attention_targets() { return {true, true, true, true, false, false, false}; }
LoraTargets all_linear_targets() { return {true, true, true, true, true, true, true}; }

std::string targets_text(const LoraTargets& t) {
  std::string out;
  for (const auto& n : kLoraTargetNames) {
    if (!t[static_cast<int>(n.value)]) continue;
    if (!out.empty()) out += ",";
    out += n.name;
  }
  return out;
}

namespace {

Finetune recipe(FinetuneMethod method, int rank, LoraTargets targets, int base_bits) {
  Finetune f;
  f.method = method;
  f.rank = rank;
  f.targets = targets;
  f.base_bits = base_bits;
  return f;
}

}  // namespace

const std::vector<FinetunePreset>& finetune_presets() {
  static const std::vector<FinetunePreset> kPresets = {
      {"full", Finetune{}, "every weight trained (the default)"},
      {"lora-r16-qv",
       recipe(FinetuneMethod::kLora, 16, {true, false, true, false, false, false, false}, 0),
       "LoRA on W_q and W_v, the matrices Hu et al. 2021 (arXiv:2106.09685, Sec. 7.1) adapt; "
       "r = 16 as PEFT's LoRA examples use (the paper's GPT-3 runs used r = 4 and 8) (recalled, "
       "unverified)"},
      {"lora-r16-attention", recipe(FinetuneMethod::kLora, 16, attention_targets(), 0),
       "LoRA r = 16 on q, k, v, o: the attention-only variant of Hu et al. 2021 Sec. 7.1 "
       "(recalled, unverified)"},
      {"lora-r16-all-linear", recipe(FinetuneMethod::kLora, 16, all_linear_targets(), 0),
       "LoRA r = 16 on every linear layer of the block: PEFT's target_modules=\"all-linear\" "
       "and Axolotl's lora_target_linear (recalled, unverified)"},
      {"qlora-r64-all-linear", recipe(FinetuneMethod::kQlora, 64, all_linear_targets(), 4),
       "QLoRA, Dettmers et al. 2023 (arXiv:2305.14314): NF4 with double quantization, LoRA r = "
       "64 on all linear layers of the block, bf16 compute (Sec. 4 and Appendix B; recalled, "
       "unverified)"},
  };
  return kPresets;
}

double frozen_weight_bits(int base_bits) {
  if (base_bits == 4) return 4.0 + kNf4ConstantBits;
  return static_cast<double>(base_bits);
}

double adapter_optimizer_bytes(bool adam) { return adam ? 8.0 : 4.0; }

std::vector<AdaptedMatrix> adapted_matrices(const TransformerConfig& m, const Finetune& f, int tp) {
  std::vector<AdaptedMatrix> out;
  if (!f.frozen_base()) return out;
  const double h = static_cast<double>(m.hidden);
  const double kv = static_cast<double>(m.kv_dim());
  const double ffn = static_cast<double>(m.ffn_hidden);
  const double t = tp;
  const bool swiglu = m.ffn == FfnKind::kSwiglu;
  auto add = [&](LoraTarget x, double d_in, double d_out) {
    if (f.adapts(x)) out.push_back({x, d_in, d_out});
  };
  add(LoraTarget::kQ, h, h / t);
  add(LoraTarget::kK, h, kv / t);
  add(LoraTarget::kV, h, kv / t);
  add(LoraTarget::kO, h / t, h);
  if (swiglu) add(LoraTarget::kGate, h, ffn / t);
  add(LoraTarget::kUp, h, ffn / t);
  add(LoraTarget::kDown, ffn / t, h);
  return out;
}

double adapter_layer_parameters(const TransformerConfig& m, const Finetune& f, int tp) {
  double p = 0;
  for (const auto& a : adapted_matrices(m, f, tp)) p += f.rank * (a.d_in + a.d_out);
  return p;
}

double adapter_parameters(const TransformerConfig& m, const Finetune& f) {
  return m.layers * adapter_layer_parameters(m, f);
}

double trainable_parameters(const TransformerConfig& m, const Finetune& f) {
  return f.frozen_base() ? adapter_parameters(m, f) : m.parameters();
}

double layer_linear_parameters(const TransformerConfig& m) {
  const double h = static_cast<double>(m.hidden);
  return 2.0 * h * h + 2.0 * h * static_cast<double>(m.kv_dim()) +
         m.ffn_matrices() * h * static_cast<double>(m.ffn_hidden);
}

double finetune_flops_per_sequence(const TransformerConfig& m, const Finetune& f) {
  if (!f.frozen_base()) return m.model_flops_per_sequence();
  // Dense layers only: the loader refuses LoRA on MoE models.
  const double s = static_cast<double>(m.seq_len);
  const double h = static_cast<double>(m.hidden);
  const double linear = 2.0 * s * layer_linear_parameters(m);  // one layer's GEMMs, forward
  const double attention = 2.0 * 2.0 * s * s * h;              // QK^T and AV, forward
  const double output = 2.0 * s * h * static_cast<double>(m.vocab);
  const double adapters = 2.0 * s * adapter_layer_parameters(m, f);
  return m.layers * (2.0 * linear + 3.0 * attention + 3.0 * adapters) + 2.0 * output;
}

}  // namespace cirrus::models
