// Per-GPU memory: hand calculations from the ZeRO paper's bytes per parameter and Korthikanti
// et al. 2022 (arXiv:2205.05198) Table 2's per-layer activation formulas (GPT-3 trains with
// dropout, so its masks are kept). The frameworks' own terms are in memory_frameworks_test.cpp.
#include "models/workload/memory.hpp"

#include <catch2/catch.hpp>
#include <vector>

using namespace cirrus::models;

namespace {

// GPT-3 175B as in Korthikanti et al. Table 3: t 8, p 8, s 2048, b 1, the paper's unfused
// attention, 1F1B; global batch 1536 over dp 16 gives m = 96 micro-batches.
Strategy gpt3_strategy() {
  Strategy s;
  s.tp = 8;
  s.pp = 8;
  s.dp = 16;
  s.micro_batch = 1;
  s.schedule = Schedule::k1F1B;
  s.sequence_parallel = true;
  s.recompute = Recompute::kSelective;
  s.attention = AttentionKernel::kUnfused;
  return s;
}

Training gpt3_training() {
  Training t;
  t.global_batch = 1536;
  t.precision = Precision::kBf16;
  t.optimizer = Optimizer::kAdam;
  return t;
}

}  // namespace

TEST_CASE("Korthikanti Table 2: activations per layer for GPT-3 175B", "[models]") {
  const auto m = *find_model("gpt3-175b");
  // s 2048, h 12288, a 96, t 8, b 1: sbh = 25,165,824 and 5as/h = 5 x 96 x 2048 / 12288 = 80.
  const double sbh = 2048.0 * 12288.0;
  Strategy s = gpt3_strategy();
  s.sequence_parallel = false;
  s.recompute = Recompute::kNone;

  Strategy no_tp = s;
  no_tp.tp = 1;
  // No parallelism: sbh (34 + 80) = 114 sbh = 2,868,903,936 bytes.
  CHECK(layer_activation_bytes(m, no_tp, 0) == Approx(114 * sbh));
  CHECK(layer_activation_bytes(m, no_tp, 0) == Approx(2868903936.0));
  // Tensor parallel: sbh (10 + 24/8 + 80/8) = 23 sbh = 578,813,952 bytes.
  CHECK(layer_activation_bytes(m, s, 0) == Approx(578813952.0));
  // Tensor + sequence parallel: sbh/8 (34 + 80) = 14.25 sbh = 358,612,992 bytes.
  s.sequence_parallel = true;
  CHECK(layer_activation_bytes(m, s, 0) == Approx(358612992.0));
  // Tensor parallel + selective recompute: sbh (10 + 24/8) = 13 sbh = 327,155,712 bytes.
  s.sequence_parallel = false;
  s.recompute = Recompute::kSelective;
  CHECK(layer_activation_bytes(m, s, 0) == Approx(327155712.0));
  // Tensor + sequence parallel + selective: 34 sbh / 8 = 106,954,752 bytes.
  s.sequence_parallel = true;
  CHECK(layer_activation_bytes(m, s, 0) == Approx(106954752.0));
  // fp32 training stores 4-byte activations but 1-byte masks: replicated 2 x (2 x 4 + 1) = 18
  // sbh, split 4 x 12 = 48 sbh, all over t with SP: 66 sbh / 8 = 207,618,048 bytes.
  CHECK(layer_activation_bytes(m, s, 0, Precision::kFp32) == Approx(207618048.0));
  // Full recompute: the layer input only, 2 sbh, sharded by SP.
  s.recompute = Recompute::kFull;
  CHECK(layer_activation_bytes(m, s, 0) == Approx(2 * sbh / 8));
  s.sequence_parallel = false;
  CHECK(layer_activation_bytes(m, s, 0) == Approx(2 * sbh));
}

TEST_CASE("GPT-3 175B, tp 8 pp 8, SP + selective: the whole per-GPU estimate", "[models]") {
  const auto m = *find_model("gpt3-175b");
  const Strategy s = gpt3_strategy();
  const Training t = gpt3_training();
  const double h = 12288, v = 51200;

  // Stage 0 holds 96/8 = 12 layers of 12h^2/8 = 226,492,416 split weights plus 4h = 49,152
  // replicated norm weights each, and the input embedding V h / 8 = 78,643,200:
  // 12 x 226,541,568 + 78,643,200 = 2,797,142,016 parameters.
  const double params0 = 12 * (12 * h * h / 8 + 4 * h) + v * h / 8;
  REQUIRE(params0 == 2797142016.0);
  const MemoryEstimate e0 = estimate_memory(m, t, s, 0);
  CHECK(e0.params == Approx(2 * params0));  // bf16 weights: 5.59e9 bytes
  CHECK(e0.grads == Approx(4 * params0));   // fp32 main gradients (Megatron forces them for bf16)
  CHECK(e0.optimizer == Approx(12 * params0));  // fp32 master + m + v: 33.6e9 bytes

  // Activations: 1F1B stage 0 holds min(pp, m) = 8 micro-batches of its 12 layers at
  // 34 sbh/t = 106,954,752 bytes each (96 layer-micro-batches = L x 34 sbh / t, the paper's
  // observation that stage 0 always holds a whole model's worth): 10,267,656,192 bytes; plus
  // the embedding dropout mask sbh/t = 3,145,728 bytes per micro-batch x 8 = 25,165,824. At the
  // peak (a layer's backward) selective recomputation rebuilds that layer's attention core:
  // 5 a s^2 b / t = 5 x 96 x 2048^2 / 8 = 251,658,240 bytes on top (the paper leaves it out).
  CHECK(in_flight_microbatches(t, s, 0) == 8);
  CHECK(e0.phase == PeakPhase::kLayerBackward);
  CHECK(e0.recompute == Approx(251658240.0));
  CHECK(e0.activations == Approx(10267656192.0 + 25165824.0 + 251658240.0));
  CHECK(e0.buffers == kRuntimeReserveBytes);
  CHECK(e0.allocator() == Approx(e0.total - kRuntimeReserveBytes));
  CHECK(e0.total == Approx(e0.params + e0.grads + e0.optimizer + e0.activations + e0.buffers));

  // The last stage: the same layers, a copy of the tied output embedding, the final norm (2h);
  // one micro-batch in flight (12 x 106,954,752 = 1,283,457,024). At the loss it adds the final
  // norm and output GEMM inputs 4 sbh/8 = 12,582,912 and Megatron's cross-entropy buffers,
  // 16-bit logits + their fp32 softmax, 6 s V / 8 = 78,643,200: 1,374,683,136 in all; a layer's
  // backward adds the recomputed attention core, 251,658,240: 1,535,115,264, the larger.
  const MemoryEstimate e7 = estimate_memory(m, t, s, 7);
  CHECK(e7.params == Approx(2 * (params0 + 2 * h)));
  CHECK(in_flight_microbatches(t, s, 7) == 1);
  CHECK(loss_activation_bytes(m, t, s) == Approx(12582912.0 + 78643200.0));
  CHECK(e7.phase == PeakPhase::kLayerBackward);
  CHECK(e7.activations == Approx(1283457024.0 + 251658240.0));

  CHECK(most_loaded_stage(m, t, s) == 0);
}

TEST_CASE("530B, tp 8 pp 35, SP + selective: stage 0 holds L x 34 sbh / t", "[models]") {
  // Korthikanti et al. Table 3: 105 layers, h 20480, a 128, t 8, p 35. 34 sbh / t =
  // 34 x 2048 x 20480 / 8 = 178,257,920 bytes per layer; 3 layers x 35 micro-batches in flight
  // = 18,717,081,600 bytes (17.4 GiB), plus the embedding mask 35 x sbh/8 = 183,500,800, plus
  // one layer's recomputed attention core at its backward, 5 x 128 x 2048^2 / 8 = 335,544,320.
  TransformerConfig m = *find_model("gpt3-175b");
  m.name = "gpt-530b";
  m.layers = 105;
  m.hidden = 20480;
  m.heads = 128;
  m.kv_heads = 128;
  m.ffn_hidden = 4 * 20480;
  Strategy s = gpt3_strategy();
  s.pp = 35;
  s.dp = 8;
  Training t = gpt3_training();
  t.global_batch = 2240;  // m = 280 >= pp
  CHECK(layer_activation_bytes(m, s, 0) == Approx(178257920.0));
  CHECK(estimate_memory(m, t, s, 0).activations ==
        Approx(18717081600.0 + 183500800.0 + 335544320.0));
}

TEST_CASE("GQA and SwiGLU generalise the 34 sbh term", "[models]") {
  // Llama 3 8B (no dropout), tp 1, selective, s 8192, b 1, h 4096, kv_dim 1024, f 14336:
  //   norms and GEMM inputs 8 sbh = 268,435,456 (Korthikanti's 10 sbh less the two dropout
  //     masks: Llama trains without dropout)
  //   split sb (2h [Q] + 2kv [K] + 2kv [V] + 2h [O = proj input] + 3 x 2f [gate, up, down
  //         input]) = 8192 x (8192 + 4096 + 8192 + 86016) = 872,415,232
  //   total 1,140,850,688 bytes.
  const auto m = *find_model("llama3-8b");
  CHECK_FALSE(m.dropout);
  Strategy s;
  s.recompute = Recompute::kSelective;
  CHECK(layer_activation_bytes(m, s, 0) == Approx(1140850688.0));
  // FlashAttention without recompute adds only the fp32 log-sum-exp, 4 a s b = 1,048,576.
  s.recompute = Recompute::kNone;
  s.attention = AttentionKernel::kFlash;
  CHECK(layer_activation_bytes(m, s, 0) == Approx(1140850688.0 + 1048576.0));
  // Unfused attention without dropout keeps the softmax output only: + 2 a s^2 b =
  // 2 x 32 x 8192^2 = 4,294,967,296 (with dropout, 5 a s^2 b as in the paper).
  s.attention = AttentionKernel::kUnfused;
  CHECK(layer_activation_bytes(m, s, 0) == Approx(1140850688.0 + 4294967296.0));
  TransformerConfig with_dropout = m;
  with_dropout.dropout = true;
  CHECK(layer_activation_bytes(with_dropout, s, 0) ==
        Approx(1140850688.0 + 2 * 8192.0 * 4096 + 5 * 32 * 8192.0 * 8192));
}

TEST_CASE("ZeRO stages shard the right terms", "[models]") {
  const auto m = *find_model("gpt3-175b");
  const Training t = gpt3_training();
  Strategy s = gpt3_strategy();
  const MemoryEstimate z0 = estimate_memory(m, t, s, 0);
  s.zero = 1;
  const MemoryEstimate z1 = estimate_memory(m, t, s, 0);
  CHECK(z1.optimizer == Approx(z0.optimizer / 16));
  CHECK(z1.grads == z0.grads);
  CHECK(z1.params == z0.params);
  CHECK(z1.activations == z0.activations);
  s.zero = 2;
  const MemoryEstimate z2 = estimate_memory(m, t, s, 0);
  CHECK(z2.optimizer == Approx(z0.optimizer / 16));
  CHECK(z2.grads == Approx(z0.grads / 16));
  CHECK(z2.params == z0.params);
  // ZeRO-3 is PyTorch FSDP: its own terms are tested in memory_frameworks_test.cpp.
  // The data-parallel group of ZeRO includes the context-parallel ranks: dp 8 x cp 2 = 16.
  s.zero = 1;
  s.dp = 8;
  s.cp = 2;
  CHECK(estimate_memory(m, t, s, 0).optimizer == Approx(z0.optimizer / 16));
}

TEST_CASE("bytes per parameter follow precision and optimizer", "[models]") {
  const auto m = *find_model("llama2-7b");
  Strategy s;
  Training t;
  t.global_batch = 8;
  const MemoryEstimate bf16 = estimate_memory(m, t, s, 0);
  const double n = m.parameters();  // pp 1: the whole model on one GPU, untied embeddings
  CHECK(bf16.params == Approx(2 * n));
  CHECK(bf16.optimizer == Approx(12 * n));
  t.precision = Precision::kFp32;
  const MemoryEstimate fp32 = estimate_memory(m, t, s, 0);
  CHECK(fp32.params == Approx(4 * n));
  CHECK(fp32.grads == Approx(4 * n));
  CHECK(fp32.optimizer == Approx(8 * n));
  t.optimizer = Optimizer::kSgd;
  CHECK(estimate_memory(m, t, s, 0).optimizer == Approx(4 * n));
  t.precision = Precision::kBf16;
  CHECK(estimate_memory(m, t, s, 0).optimizer == Approx(8 * n));
}

TEST_CASE("tied embeddings are one tensor on one stage, a copy per end otherwise", "[models]") {
  const auto m = *find_model("gpt-1.3b");  // tied
  Training t;
  t.global_batch = 8;
  Strategy s;
  CHECK(estimate_memory(m, t, s, 0).params == Approx(2 * m.parameters()));
  s.pp = 2;
  const double both = estimate_memory(m, t, s, 0).params + estimate_memory(m, t, s, 1).params;
  CHECK(both == Approx(2 * (m.parameters() + 51200.0 * 2048.0)));
}

TEST_CASE("activations grow with the micro-batch", "[models]") {
  const auto m = *find_model("llama2-7b");
  Training t;
  t.global_batch = 512;
  Strategy s;
  s.tp = 2;
  s.pp = 4;
  double previous = 0;
  for (int mb : {1, 2, 4, 8}) {
    s.micro_batch = mb;
    const double a = estimate_memory(m, t, s, 0).activations;
    CHECK(a > previous);
    previous = a;
  }
}

TEST_CASE("pipeline schedules: in-flight micro-batches and layer placement", "[models]") {
  Training t;
  t.global_batch = 64;
  Strategy s;
  s.pp = 8;
  // m = 64 micro-batches.
  CHECK(microbatches_per_step(t, s) == 64);
  s.schedule = Schedule::k1F1B;
  CHECK(in_flight_microbatches(t, s, 0) == 8);
  CHECK(in_flight_microbatches(t, s, 5) == 3);
  s.schedule = Schedule::kGpipe;
  CHECK(in_flight_microbatches(t, s, 0) == 64);
  CHECK(in_flight_microbatches(t, s, 7) == 64);
  // Interleaved, v 2: stage 0 runs 2 (8 - 1) + (2 - 1) 8 + 1 = 23 chunk forwards before its
  // first backward, 11.5 micro-batches = 8 (1 + 7 / 16), Korthikanti et al.'s factor.
  s.schedule = Schedule::kInterleaved;
  s.virtual_stages = 2;
  CHECK(in_flight_microbatches(t, s, 0) == Approx(8 * (1 + 7.0 / 16)));
  // Fewer micro-batches than stages: 1F1B holds them all.
  t.global_batch = 4;
  s.schedule = Schedule::k1F1B;
  CHECK(in_flight_microbatches(t, s, 0) == 4);

  const auto m = *find_model("gpt-1.3b");  // 24 layers
  Strategy p;
  p.pp = 2;
  p.schedule = Schedule::kInterleaved;
  p.virtual_stages = 2;  // 4 chunks of 6 layers: stage 0 holds chunks 0 and 2
  const std::vector<int> layers = stage_layers(m, p, 0);
  REQUIRE(layers.size() == 12);
  CHECK(layers.front() == 0);
  CHECK(layers[5] == 5);
  CHECK(layers[6] == 12);
  p.schedule = Schedule::k1F1B;
  CHECK(stage_layers(m, p, 1).front() == 12);
  CHECK_THROWS_AS(stage_layers(m, p, 2), std::invalid_argument);
}

TEST_CASE("MoE: experts are spread over ep and sharded over dp x cp / ep", "[models]") {
  const auto m = *find_model("mixtral-8x7b");
  Training t;
  t.global_batch = 64;
  Strategy s;
  s.dp = 8;
  s.ep = 8;
  const double h = 4096, f = 14336;
  const double experts_per_gpu = 32 * 8 * 3 * h * f / 8;  // one expert of each layer
  const MemoryEstimate e = estimate_memory(m, t, s, 0);
  const double dense = m.parameters() - 32 * (8 * 3 * h * f);
  CHECK(e.params == Approx(2 * (dense + experts_per_gpu)));
  // ZeRO-1: dense optimizer states over 8 ranks, experts over 8 / 8 = 1 rank.
  s.zero = 1;
  CHECK(estimate_memory(m, t, s, 0).optimizer == Approx(12 * (dense / 8 + experts_per_gpu)));
}
