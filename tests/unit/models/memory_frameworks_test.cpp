// Per-GPU memory as the frameworks allocate it: hand calculations for each term memory.cpp
// takes from PyTorch FSDP2 / torchtitan, Megatron-Core / Transformer Engine and PyTorch's
// eager kernels. Llama 3 8B throughout: h 4096, kv_dim 1024, f 14336, 32 heads, 32 layers,
// V 128,256; one layer holds 2h^2 + 2h kv + 3hf + 4h = 218,120,192 parameters and the model
// P = 2Vh + 32 x 218,120,192 + 2h = 8,030,527,488.
#include <catch2/catch.hpp>

#include "models/workload/memory.hpp"

using namespace cirrus::models;

namespace {

constexpr double kP = 8030527488.0;
constexpr double kLayer = 218120192.0;
constexpr double kH = 4096, kKv = 1024, kF = 14336, kV = 128256;

TransformerConfig llama8b() { return *find_model("llama3-8b"); }

// torchtitan's FSDP2 on 8 GPUs, local batch 2 of 8192 tokens (N = 16,384).
Strategy fsdp8() {
  Strategy s;
  s.dp = 8;
  s.zero = 3;
  s.micro_batch = 2;
  return s;
}

Training bf16(long global_batch, Kernels k = Kernels::kFused) {
  Training t;
  t.global_batch = global_batch;
  t.kernels = k;
  return t;
}

}  // namespace

TEST_CASE("llama 3 8B shape used below", "[memory]") {
  const auto m = llama8b();
  CHECK(m.layer_parameters(0) == Approx(kLayer));
  CHECK(m.parameters() == Approx(kP));
}

TEST_CASE("FSDP2: fp32 parameter shards are the optimizer's, 16 bytes per parameter", "[memory]") {
  // MixedPrecisionPolicy(param_dtype=bf16, reduce_dtype=fp32): sharded fp32 parameters 4,
  // sharded fp32 gradients 4, Adam's two fp32 moments 8, over the 8 shard ranks.
  const MemoryEstimate e = estimate_memory(llama8b(), bf16(16), fsdp8(), 0);
  CHECK(e.params == Approx(4 * kP / 8));
  CHECK(e.grads == Approx(4 * kP / 8));
  CHECK(e.optimizer == Approx(8 * kP / 8));
  // Hybrid sharding: dp 16 replicated over groups of dp_shard 8 shards the same way.
  Strategy hsdp = fsdp8();
  hsdp.dp = 16;
  hsdp.dp_shard = 8;
  CHECK(estimate_memory(llama8b(), bf16(32), hsdp, 0).optimizer == Approx(8 * kP / 8));
  // SGD keeps one fp32 momentum.
  Training sgd = bf16(16);
  sgd.optimizer = Optimizer::kSgd;
  CHECK(estimate_memory(llama8b(), sgd, fsdp8(), 0).optimizer == Approx(4 * kP / 8));
  // With the optimizer offloaded its fp32 master goes with it: 16-bit shards on the GPU.
  Strategy offload = fsdp8();
  offload.offload.optimizer = Tier::kHost;
  const MemoryEstimate o = estimate_memory(llama8b(), bf16(16), offload, 0);
  CHECK(o.params == Approx(2 * kP / 8));
  CHECK(o.optimizer == 0);
}

TEST_CASE("Megatron: distributed optimizer 6 + 12/d, Transformer Engine's fp8 weight caches",
          "[memory]") {
  Strategy s;
  s.dp = 8;
  s.zero = 1;
  Training t = bf16(8);
  const MemoryEstimate e = estimate_memory(llama8b(), t, s, 0);
  CHECK(e.params + e.grads + e.optimizer == Approx((6 + 12.0 / 8) * kP));
  CHECK(e.fp8_weights == 0);
  // fp8: each GEMM weight's fp8 copy and fp8 transpose, 2 bytes x 32 x (218,120,192 - 4h).
  t.precision = Precision::kFp8;
  const MemoryEstimate f = estimate_memory(llama8b(), t, s, 0);
  CHECK(f.fp8_weights == Approx(2 * 32 * (kLayer - 4 * kH)));
  CHECK(f.params == Approx(2 * kP + f.fp8_weights));
}

TEST_CASE("a layer's saved tensors by framework and kernels, no recomputation", "[memory]") {
  const auto m = llama8b();
  const double n = 16384;  // tokens of one micro-batch
  Strategy s = fsdp8();
  // torchtitan in eager PyTorch, per token: two RMSNorms each keeping the fp32 upcast (4h), the
  // normalized 16-bit tensor (2h) and the GEMM input (2h): 16h; SDPA's Q and the repeated K, V
  // and O, 4 x 2h, and O's contiguous copy for wo, 2h; the log-sum-exp 4a; SwiGLU's w1 out,
  // silu out, w3 out and product, 4 x 2f: 221,312 bytes, x N = 3,625,975,808.
  const double eager = 16 * kH + 8 * kH + 2 * kH + 4 * 32 + 8 * kF;
  CHECK(eager == 221312);
  CHECK(layer_activations(m, bf16(16, Kernels::kEager), s, 0).full == Approx(eager * n));
  // Fused kernels (torch.compile): norms keep input and output (8h), Q K V O (8h), lse,
  // SwiGLU's fc1 outputs and product (6f): 151,680 bytes per token.
  const double fused_fsdp = 8 * kH + 8 * kH + 4 * 32 + 6 * kF;
  CHECK(layer_activations(m, bf16(16), s, 0).full == Approx(fused_fsdp * n));
  // Megatron / TE hands grouped K and V to the kernel: 2 x 2 kv instead of 2 x 2h.
  Strategy meg;
  meg.micro_batch = 2;
  const double megatron = 8 * kH + 4 * kH + 4 * kKv + 4 * 32 + 6 * kF;
  CHECK(megatron == 139392);
  CHECK(layer_activations(m, bf16(16), meg, 0).full == Approx(megatron * n));
  // TE fp8 saves the fp8 copies of the GEMM inputs: the norms' outputs (1 byte: 6h for both
  // norms with their 16-bit inputs), the projection's input (h, beside O), fc2's input (f).
  Training fp8 = bf16(16);
  fp8.precision = Precision::kFp8;
  const double te_fp8 = 6 * kH + 4 * kH + 4 * kKv + kH + 4 * 32 + 5 * kF;
  CHECK(te_fp8 == 120960);
  CHECK(layer_activations(m, fp8, meg, 0).full == Approx(te_fp8 * n));
  // torchao's fp8 (FSDP) saves the high-precision inputs: the same as bf16.
  CHECK(layer_activations(m, fp8, s, 0).full == Approx(fused_fsdp * n));
}

TEST_CASE("eager norms: RMSNorm's fp32 upcast, not LayerNorm's, and a fused RMSNorm alone",
          "[memory]") {
  const double n = 16384;
  Strategy s = fsdp8();
  const Training eager = bf16(16, Kernels::kEager);
  // torchtitan's fused_rmsnorm in an otherwise eager model: each norm keeps its input and the
  // GEMM input (4h, not 8h), the rest as eager (O's copy, SwiGLU's four wide tensors).
  Training fused_norm = eager;
  fused_norm.norm_kernels = Kernels::kFused;
  const double eager_llama = 221312;  // the eager total above
  CHECK(layer_activations(llama8b(), fused_norm, s, 0).full ==
        Approx((eager_llama - 2 * 4 * kH) * n));
  // The final norm follows norm_kernels too (the loss itself follows loss_kernels).
  const double logits = n * kV;
  CHECK(loss_activation_bytes(llama8b(), fused_norm, s) == Approx(4 * kH * n + 14 * logits));
  // An eager LayerNorm (F.layer_norm, MPT's LPLayerNorm) is one native kernel: it keeps its
  // input, no fp32 upcast, so eager and fused norms save the same; the eager model still keeps
  // O's copy for the projection. GPT-style 4h GeLU model of hidden 4096, no dropout, local
  // batch 2 of 2,048 tokens.
  TransformerConfig gpt = *find_model("gpt-1.3b");
  gpt.hidden = 4096;
  gpt.heads = 32;
  gpt.kv_heads = 32;
  gpt.ffn_hidden = 4 * 4096;
  gpt.dropout = false;
  const double fused_gpt = layer_activations(gpt, bf16(16), s, 0).full;
  CHECK(layer_activations(gpt, eager, s, 0).full == Approx(fused_gpt + 2 * kH * 4096));
}

TEST_CASE("what each recomputation policy keeps per layer", "[memory]") {
  const auto m = llama8b();
  const double n = 16384;
  Strategy s = fsdp8();
  const Training t = bf16(16, Kernels::kEager);
  // torchtitan's op policy saves the outputs of wq, wv, w1 and w2 (the odd mms), SDPA's output
  // and lse, and the block input: 2 (h + h + kv + f + h + h) + 4a = 63,616 bytes per token.
  s.recompute = Recompute::kSelectiveOp;
  const LayerActivations op = layer_activations(m, t, s, 0);
  CHECK(op.kept == Approx(63616 * n));
  CHECK(op.kept == Approx(1042284544.0));
  CHECK(op.full == Approx(221312 * n));
  // Under TP 2 (sequence parallel): input h/2, wq h/2, wv kv/2, w1 f/2, w2's full-sequence
  // partial sum h, the two reduce-scatter outputs 2 x h/2, SDPA output h/2: 22,016 elements,
  // x 2 bytes + lse 4a/2 = 44,096 bytes per token.
  Strategy tp = s;
  tp.tp = 2;
  tp.sequence_parallel = true;
  CHECK(layer_activations(m, t, tp, 0).kept == Approx(44096 * n));
  // Full: the layer input, 2h per token.
  s.recompute = Recompute::kFull;
  CHECK(layer_activations(m, t, s, 0).kept == Approx(2 * kH * n));
  // Layer policy, every 2nd: layer l is checkpointed when (l + 1) % 2 == 0.
  s.recompute = Recompute::kSelectiveLayer;
  s.recompute_every = 2;
  CHECK(layer_activations(m, t, s, 0).kept == Approx(221312 * n));
  CHECK(layer_activations(m, t, s, 1).kept == Approx(2 * kH * n));
}

TEST_CASE("the loss: final norm and cross-entropy buffers per framework", "[memory]") {
  const auto m = llama8b();
  const double logits = 16384 * kV;          // 2,101,346,304
  const double final_norm = 4 * kH * 16384;  // fused: input + output, 268,435,456
  Strategy s = fsdp8();
  Training t = bf16(16);
  // Fused loss (torch.compile'd): 16-bit logits kept, 16-bit gradient: 4 bytes per logit.
  CHECK(loss_activation_bytes(m, t, s) == Approx(final_norm + 4 * logits));
  // Eager cross-entropy on fp32 logits: log-softmax output, nll's gradient and log-softmax's
  // input gradient (12) plus the freed 16-bit logits' block (2): 29,418,848,256 bytes.
  t.loss_kernels = Kernels::kEager;
  CHECK(loss_activation_bytes(m, t, s) == Approx(final_norm + 29418848256.0));
  // ... and the eager final RMSNorm keeps its fp32 upcast and normalized tensor as well.
  t.kernels = Kernels::kEager;
  CHECK(loss_activation_bytes(m, t, s) == Approx(2 * final_norm + 14 * logits));
  // Megatron's vocab-parallel cross-entropy: 16-bit logits + fp32 softmax (reused in place as
  // the gradient), 6 bytes per logit.
  Strategy meg;
  meg.micro_batch = 2;
  CHECK(loss_activation_bytes(m, bf16(16), meg) == Approx(final_norm + 6 * logits));
}

TEST_CASE("FSDP2 at the loss: torchtitan's 8B on 8 GPUs, term by term", "[memory]") {
  // torchtitan_l31_8b_8gpu_fsdp (eager, op-level SAC, local batch 2): the peak is the eager
  // cross-entropy's backward, with every layer's saved tensors held.
  Strategy s = fsdp8();
  s.recompute = Recompute::kSelectiveOp;
  const MemoryEstimate e = estimate_memory(llama8b(), bf16(16, Kernels::kEager), s, 0);
  CHECK(e.phase == PeakPhase::kLoss);
  const double held = 32 * 1042284544.0;
  const double loss = 536870912.0 + 29418848256.0;  // eager final norm 8h N + 14 x logits
  CHECK(e.loss == Approx(loss));
  CHECK(e.activations == Approx(held + loss));
  // Gathered: the root (embedding, output, final norm: 2 x 1,050,681,344 bytes in bf16), the
  // last layer (not resharded after forward) and the copy-in stream's two all-gather buffers.
  const double root = 2 * (2 * kV * kH + 2 * kH);
  CHECK(e.gathered == Approx(root + 3 * 2 * kLayer));
  CHECK(e.buffers == Approx(e.gathered + kRuntimeReserveBytes));
  CHECK(e.total == Approx(16 * kP / 8 + held + loss + e.gathered + kRuntimeReserveBytes));
  CHECK(e.allocator() == Approx(e.total - kRuntimeReserveBytes));
  CHECK(e.params + e.grads + e.optimizer + e.activations + e.buffers == Approx(e.total));
  // fp8 all-gather gathers the GEMM weights in 1 byte (norms stay 16-bit).
  Training f = bf16(16, Kernels::kEager);
  f.precision = Precision::kFp8;
  f.fp8_all_gather = true;
  const double fp8_layer = (kLayer - 4 * kH) + 2 * 4 * kH;
  CHECK(estimate_memory(llama8b(), f, s, 0).gathered == Approx(root + 3 * fp8_layer));
}

TEST_CASE("FSDP2 in a layer's backward: recomputation and gradient buffers", "[memory]") {
  // Full recomputation with a fused loss on 4,096 tokens: the loss is small and the peak is
  // the backward of a layer, which recomputes everything but its input.
  const auto m = llama8b();
  Strategy s = fsdp8();
  s.micro_batch = 1;
  s.recompute = Recompute::kFull;
  TransformerConfig short_seq = m;
  short_seq.seq_len = 4096;
  const double n = 4096;
  const MemoryEstimate e = estimate_memory(short_seq, bf16(8), s, 0);
  CHECK(e.phase == PeakPhase::kLayerBackward);
  const double recompute = (151680 - 2 * kH) * n;
  CHECK(e.recompute == Approx(recompute));
  CHECK(e.activations == Approx(32 * 2 * kH * n + recompute));
  // Buffers: root + two all-gather buffers + the layer in backward and the prefetched one; the
  // layer's 16-bit gradients and their fp32 reduce-scatter copy (6 bytes per parameter); the
  // output layer's unsharded 16-bit gradient (until the root's post-backward).
  const double root = 2 * (2 * kV * kH + 2 * kH);
  CHECK(e.gathered == Approx(root + 4 * 2 * kLayer));
  CHECK(e.buffers == Approx(e.gathered + 6 * kLayer + 2 * kV * kH + kRuntimeReserveBytes));
}

TEST_CASE("FSDP2 with pipeline parallelism (torch.distributed.pipelining)", "[memory]") {
  // Llama 3 8B, pp 2 x dp 4, 4 micro-batches of 1 x 8192, full recomputation, fused: stage 0
  // holds 16 layers and the embedding, 4,015,259,648 parameters.
  Strategy s;
  s.pp = 2;
  s.dp = 4;
  s.zero = 3;
  s.recompute = Recompute::kFull;
  const double stage = 16 * kLayer + kV * kH;
  CHECK(stage == 4015259648.0);
  const MemoryEstimate e = estimate_memory(llama8b(), bf16(16), s, 0);
  // Gradients: the fp32 shards plus the unsharded fp32 accumulation across micro-batches.
  CHECK(e.grads == Approx(4 * stage / 4 + 4 * stage));
  // Every layer stays gathered (reshard_after_forward=False with PP), plus the root part and
  // the two all-gather buffers.
  CHECK(e.gathered == Approx(2 * stage + 2 * 2 * kLayer));
  // Activations: 2 micro-batches in flight x 16 layer inputs of 2h x 8192; the stage's output
  // kept for each of the 4 micro-batches (output_chunks) and a gradient receive buffer per
  // micro-batch (stage 0 receives no activations); one layer's recomputation.
  const double hidden = 2 * kH * 8192;
  const double recompute = (151680 - 2 * kH) * 8192;
  CHECK(e.activations == Approx(2 * 16 * hidden + 4 * hidden + 4 * hidden + recompute));
  // The last stage keeps every micro-batch's logits: 16-bit with a fused loss.
  const MemoryEstimate last = estimate_memory(llama8b(), bf16(16), s, 1);
  CHECK(last.phase == PeakPhase::kLoss);
  const double in_flight = 16 * hidden;  // 1F1B: one micro-batch on the last stage
  CHECK(last.activations == Approx(in_flight + 4 * 2 * 8192 * kV + 4 * hidden +
                                   loss_activation_bytes(llama8b(), bf16(16), s)));
}

TEST_CASE("context parallelism materializes the sequence's K and V in a layer", "[memory]") {
  // 32k tokens over cp 4 (8,192 per GPU), full recomputation; a 1,024-entry vocabulary keeps
  // the loss small so that the peak is a layer's backward.
  TransformerConfig m = llama8b();
  m.seq_len = 32768;
  m.vocab = 1024;
  Strategy s;
  s.dp = 2;
  s.cp = 4;
  s.zero = 3;
  s.recompute = Recompute::kFull;
  const double n = 32768 / 4;
  // torchtitan (FSDP) repeats K and V to all heads: 2 x 2 bytes x 32,768 x h on top of the
  // layer's recomputation.
  const MemoryEstimate e = estimate_memory(m, bf16(2), s, 0);
  CHECK(e.phase == PeakPhase::kLayerBackward);
  CHECK(e.recompute == Approx((151680 - 2 * kH) * n + 2 * 2 * 32768 * kH));
  // Megatron / TE: grouped K and V, 2 x 2 bytes x 32,768 x kv_dim.
  Strategy meg = s;
  meg.zero = 1;
  const MemoryEstimate g = estimate_memory(m, bf16(2), meg, 0);
  CHECK(g.phase == PeakPhase::kLayerBackward);
  CHECK(g.recompute == Approx((139392 - 2 * kH) * n + 2 * 2 * 32768 * kKv));
}

TEST_CASE("the optimizer step can be the peak: foreach Adam's fp32 temporary", "[memory]") {
  // Unsharded FSDP (dp 1) on 64-token sequences: activations are negligible and the foreach
  // Adam's per-parameter fp32 temporary (4P) is the largest transient.
  TransformerConfig m = llama8b();
  m.seq_len = 64;
  Strategy s;
  s.zero = 3;
  const MemoryEstimate e = estimate_memory(m, bf16(1), s, 0);
  CHECK(e.phase == PeakPhase::kOptimizer);
  CHECK(e.activations == 0);
  CHECK(e.buffers == Approx(kRuntimeReserveBytes + 2 * 2 * kLayer + 4 * kP));
}
