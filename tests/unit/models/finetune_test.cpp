// LoRA and QLoRA (training.finetune): adapter counts, memory and the layer program by hand, from
// Hu et al. 2021 (arXiv:2106.09685) and Dettmers et al. 2023 (arXiv:2305.14314).
#include "models/workload/finetune.hpp"

#include <catch2/catch.hpp>
#include <string>

#include "models/hardware/hardware.hpp"
#include "models/step/analytic_step.hpp"
#include "models/step/simulate.hpp"
#include "models/workload/layer_program.hpp"
#include "models/workload/memory.hpp"

using namespace cirrus::models;

namespace {

Finetune preset(const std::string& id, Precision p = Precision::kBf16) {
  for (const auto& x : finetune_presets()) {
    if (id != x.id) continue;
    Finetune f = x.finetune;
    if (f.frozen_base() && f.base_bits == 0) f.base_bits = static_cast<int>(8 * param_bytes(p));
    return f;
  }
  FAIL("no preset " << id);
  return {};
}

// LLaMA 65B (Touvron et al. 2023, arXiv:2302.13971, Table 2: 80 layers, d 8192, 64 heads; FFN
// 2/3 x 4d rounded to 256: 22016; vocabulary 32,000, untied).
TransformerConfig llama_65b() {
  TransformerConfig m = *find_model("llama2-7b");
  m.name = "llama-65b";
  m.layers = 80;
  m.hidden = 8192;
  m.heads = 64;
  m.kv_heads = 64;
  m.ffn_hidden = 22016;
  m.vocab = 32000;
  m.seq_len = 512;
  return m;
}

StepInput llama2_7b_on_dgx(const Finetune& f) {
  StepInput in;
  in.model = *find_model("llama2-7b");
  in.cluster.node = *find_node("dgx-h100");
  in.cluster.nodes = 1;
  in.training.global_batch = 64;
  in.training.finetune = f;
  in.strategy.dp = 8;
  in.strategy.micro_batch = 2;
  in.strategy.recompute = Recompute::kFull;
  in.strategy.zero = 3;  // full training of 7B fits 80 GB only sharded
  return in;
}

}  // namespace

TEST_CASE("LoRA on q and v of Llama 2 7B: r x 32 x 2 x (4096 + 4096) parameters",
          "[models][finetune]") {
  const auto m = *find_model("llama2-7b");
  // r 8: 32 layers x 2 matrices x 8 x (4096 + 4096) = 4,194,304, the figure PEFT's
  // print_trainable_parameters gives for Llama 2 7B with r 8 on q_proj, v_proj (recalled).
  Finetune r8 = preset("lora-r16-qv");
  r8.rank = 8;
  CHECK(adapter_parameters(m, r8) == 4194304.0);
  // r 16 (the preset): 32 x 2 x 16 x 8192 = 8,388,608.
  CHECK(adapter_parameters(m, preset("lora-r16-qv")) == 8388608.0);
  // Llama 3 8B (d 4096, KV 1024, FFN 14336), r 64 on every linear layer: per layer
  // 64 x [2 x (4096 + 4096) + 2 x (4096 + 1024) + 3 x (4096 + 14336)] = 5,242,880; x 32.
  CHECK(adapter_parameters(*find_model("llama3-8b"), preset("qlora-r64-all-linear")) ==
        167772160.0);
  // Full training trains everything.
  CHECK(trainable_parameters(m, Finetune{}) == m.parameters());
}

TEST_CASE("NF4 with double quantization costs 4.127 bits per parameter", "[models][finetune]") {
  // Dettmers et al. 2023, Sec. 3: 8/64 + 32/(64 x 256) = 0.125 + 0.001953125 = 0.126953125.
  CHECK(kNf4ConstantBits == Approx(0.126953125));
  CHECK(frozen_weight_bits(4) == Approx(4.126953125));
  CHECK(frozen_weight_bits(8) == 8.0);
  CHECK(frozen_weight_bits(16) == 16.0);
}

TEST_CASE("QLoRA fits LLaMA 65B's weights, adapters and optimizer in one 48 GB GPU",
          "[models][finetune]") {
  const TransformerConfig m = llama_65b();
  Training t;
  t.global_batch = 16;
  t.finetune = preset("qlora-r64-all-linear");
  Strategy s;
  s.recompute = Recompute::kFull;  // the QLoRA recipe trains with gradient checkpointing
  const MemoryEstimate e = estimate_memory(m, t, s, 0);
  // Frozen: GEMM weights 80 x (4 x 8192^2 + 3 x 8192 x 22016) = 64,760,053,760 at 4.127 bits;
  // embeddings 2 x 32000 x 8192 and the norms in bf16, counted as cirrus counts them (4h per
  // layer, weight and bias of two norms, and 2h for the final one: memory.cpp's layer_share).
  const double linear = 80.0 * (4.0 * 8192 * 8192 + 3.0 * 8192 * 22016);
  const double rest = 2.0 * 32000 * 8192 + (4.0 * 80 + 2) * 8192;
  CHECK(e.frozen == Approx(linear * 4.126953125 / 8.0 + 2.0 * rest));
  // Adapters: 80 x 64 x [4 x 16384 + 3 x 30208] = 799,539,200 parameters, 4 + 4 + 8 bytes each.
  const double adapters = 80.0 * 64.0 * (4.0 * 16384 + 3.0 * 30208);
  CHECK(adapters == 799539200.0);
  CHECK(e.params - e.frozen == Approx(4.0 * adapters));
  CHECK(e.grads == Approx(4.0 * adapters));
  CHECK(e.optimizer == Approx(8.0 * adapters));
  // 33.41 + 1.05 + 12.79 = 47.25e9 bytes = 44.0 GiB: under an L40S's 48 GiB, as the paper's
  // "65B on a single 48GB GPU" claims; full bf16 training would need 16 bytes per parameter.
  const double states = e.params + e.grads + e.optimizer;
  CHECK(states == Approx(47.25e9).epsilon(0.001));
  CHECK(states < find_gpu("l40s")->memory_bytes);
  Training full = t;
  full.finetune = Finetune{};
  const MemoryEstimate f = estimate_memory(m, full, s, 0);
  CHECK(f.params + f.grads + f.optimizer > 16.0 * (linear + rest) * 0.999);
}

TEST_CASE("LoRA keeps the activations of full training plus the adapters' r-wide tensors",
          "[models][finetune]") {
  const auto m = *find_model("llama2-7b");
  Training full;
  full.global_batch = 8;
  Training lora = full;
  lora.finetune = preset("lora-r16-qv");
  Strategy s;
  s.micro_batch = 1;
  // Per layer and micro-batch: 2 adapters x r 16 x 4096 tokens x 2 bytes = 262,144 bytes.
  CHECK(layer_activation_bytes(m, lora, s, 0) - layer_activation_bytes(m, full, s, 0) ==
        Approx(2.0 * 16 * 4096 * 2));
  const MemoryEstimate a = estimate_memory(m, full, s, 0);
  const MemoryEstimate b = estimate_memory(m, lora, s, 0);
  CHECK(b.total < a.total);
  CHECK(b.frozen == Approx(2.0 * m.parameters()));  // bf16, nothing quantized
  CHECK(b.trainable == Approx(16.0 * 8388608));
}

TEST_CASE("a frozen layer runs no weight-gradient GEMM; adapters and dequantization added",
          "[models][finetune]") {
  const auto m = *find_model("llama2-7b");
  Strategy s;
  Training t;
  t.finetune = preset("qlora-r64-all-linear");
  const LayerProgram p = transformer_layer(m, s, t);
  double adapter_fwd = 0, dequant = 0;
  int base_wgrads = 0, lora_wgrads = 0;
  for (const auto& it : p.forward) {
    if (it.is_comm) continue;
    const std::string n = it.op.name;
    if (n == "lora_a" || n == "lora_b") adapter_fwd += it.op.flops;
    if (n == "dequantize_weights") dequant += it.op.bytes;
  }
  for (const auto& it : p.backward) {
    if (it.is_comm) continue;
    const std::string n = it.op.name;
    if (n.find("wgrad") == std::string::npos) continue;
    (n.rfind("lora_", 0) == 0 ? lora_wgrads : base_wgrads) += 1;
  }
  // Attention's own GEMMs are fused (no wgrad); the 4 base linear layers run none; the 7
  // adapters 2 each (A and B).
  CHECK(base_wgrads == 0);
  CHECK(lora_wgrads == 14);
  // Forward adapters: 2 x tokens x r x sum(d_in + d_out) = 2 x 4096 x 64 x (4 x 8192 + 3 x 15104).
  CHECK(adapter_fwd == Approx(2.0 * 4096 * 64 * (4.0 * 8192 + 3.0 * 15104)));
  // Dequantization reads 4.127 / 8 and writes 2 bytes per weight of each base GEMM.
  CHECK(dequant == Approx((4.126953125 / 8.0 + 2.0) * layer_linear_parameters(m)));
}

TEST_CASE("model FLOPs of a LoRA step: no weight gradients, adapters three times",
          "[models][finetune]") {
  const auto m = *find_model("llama2-7b");
  const Finetune f = preset("lora-r16-qv");
  const double s = 4096, h = 4096;
  const double linear = 2.0 * s * (4.0 * h * h + 3.0 * h * 11008);
  const double attention = 4.0 * s * s * h;
  const double output = 2.0 * s * h * 32000;
  const double adapters = 2.0 * s * 16 * 2 * (h + h);
  CHECK(finetune_flops_per_sequence(m, f) ==
        Approx(32 * (2 * linear + 3 * attention + 3 * adapters) + 2 * output));
  CHECK(finetune_flops_per_sequence(m, Finetune{}) == m.model_flops_per_sequence());
}

TEST_CASE("a LoRA step is faster and smaller than full training at the same strategy",
          "[models][finetune]") {
  const StepResult full = simulate_step(llama2_7b_on_dgx(Finetune{}));
  const StepResult lora = simulate_step(llama2_7b_on_dgx(preset("lora-r16-qv")));
  const StepResult qlora = simulate_step(llama2_7b_on_dgx(preset("qlora-r64-all-linear")));
  REQUIRE(full.feasible);
  REQUIRE(lora.feasible);
  REQUIRE(qlora.feasible);
  CHECK(lora.step_time_s < full.step_time_s);
  CHECK(lora.memory.total < full.memory.total);
  CHECK(qlora.memory.total < lora.memory.total);
  // Without weight-gradient GEMMs the backward is about one forward instead of two: the compute
  // falls by up to a third (full recomputation adds a forward to both).
  CHECK(lora.breakdown.compute < 0.8 * full.breakdown.compute);
  // Data-parallel traffic: the frozen weights' gathers, and the adapters' gradients only.
  CHECK(lora.breakdown.dp_comm < full.breakdown.dp_comm);
  REQUIRE(lora.finetune);
  CHECK(lora.finetune->method == "lora");
  CHECK(lora.finetune->trainable_params == 8388608.0);
  CHECK(qlora.finetune->base_bits == 4);
}
