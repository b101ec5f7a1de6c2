// Per-GPU memory model. Sources, term by term, are given where each term is computed:
//   model states: the ZeRO paper (Rajbhandari et al. 2020, arXiv:1910.02054); Megatron-LM's
//     distributed-optimizer table (docs/source/api-guide/dist_optimizer.md: "6 + 12/d" bytes
//     per parameter for bf16 weights with fp32 gradients); PyTorch FSDP2
//     (torch/distributed/_composable/fsdp/: _fsdp_param.py, _fsdp_collectives.py,
//     _fsdp_state.py) and torchtitan's use of it (torchtitan/parallelisms/parallelize_llama.py,
//     apply_fsdp);
//   activations: Korthikanti et al. 2022 (arXiv:2205.05198, Sec. 4) re-derived for the kernels
//     used today: Transformer Engine's saved tensors (transformer_engine/pytorch/module/
//     layernorm_linear.py, linear.py), FlashAttention's log-sum-exp, torchtitan's Llama
//     (torchtitan/models/llama/model.py) in PyTorch eager, and torchtitan's recomputation
//     policies (parallelize_llama.py: _save_list, _apply_ac_to_transformer_block);
//   loss: Megatron-Core's vocab-parallel cross-entropy (megatron/core/tensor_parallel/
//     cross_entropy.py) and PyTorch's eager cross_entropy (log_softmax + nll_loss);
//   pipelines: Megatron-LM's schedules (megatron/core/pipeline_parallel/schedules.py).
#include "models/workload/memory.hpp"
#include "common/enum_names.hpp"

#include "models/hardware/precision.hpp"
#include "models/workload/offload_memory.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace cirrus::models {

constexpr EnumNames<PeakPhase, 3> kPeakPhaseNames = {{{PeakPhase::kLoss, "loss"},
                                                      {PeakPhase::kLayerBackward, "layer backward"},
                                                      {PeakPhase::kOptimizer, "optimizer step"}}};

const char* to_string(PeakPhase p) { return name_in(kPeakPhaseNames, p); }

namespace {

void check_strategy(const Strategy& s) {
  if (s.tp < 1 || s.pp < 1 || s.dp < 1 || s.cp < 1 || s.ep < 1 || s.micro_batch < 1 ||
      s.virtual_stages < 1 || s.recompute_every < 1) {
    throw std::invalid_argument(
        "memory model: parallel sizes, micro_batch and recompute_every must be >= 1");
  }
}

void check_stage(const Strategy& s, int stage) {
  check_strategy(s);
  if (stage < 0 || stage >= s.pp) {
    throw std::invalid_argument("memory model: stage " + std::to_string(stage) + " outside 0.." +
                                std::to_string(s.pp - 1));
  }
}

bool interleaved(const Strategy& s) {
  // Megatron-LM falls back to the plain 1F1B schedule with one model chunk per stage.
  return s.schedule == Schedule::kInterleaved && s.virtual_stages > 1;
}

// ZeRO-3 runs as PyTorch FSDP (torchtitan, Composer); ZeRO 0-2 as Megatron (see memory.hpp).
bool fsdp(const Strategy& s) { return s.zero >= 3; }

// ---- Model states: bytes per parameter. ----

// Megatron: 16-bit weights for fp16, bf16 and fp8 training (Transformer Engine casts them to
// fp8 for the GEMMs; the fp8 copies are counted apart), fp32 weights in fp32 training.
double weight_bytes(Precision p) { return param_bytes(p); }

// Megatron's optimizer states (ZeRO paper, "K"): mixed-precision Adam keeps an fp32 master copy
// plus the fp32 momentum and variance, K = 12; fp32 Adam needs only m and v (the weights are
// already fp32), 8. SGD with momentum: master + momentum 8 in mixed precision, momentum alone 4
// in fp32. With the distributed optimizer (ZeRO-1) K / dp per parameter: Megatron's table
// gives 6 + 12/d for bf16 weights with fp32 gradients (2 + 4 below, 12 / d here).
double megatron_optimizer_bytes(Precision p, Optimizer o) {
  const bool fp32 = p == Precision::kFp32;
  if (o == Optimizer::kAdam) return fp32 ? 8.0 : 12.0;
  return fp32 ? 4.0 : 8.0;
}

// FSDP with MixedPrecisionPolicy(param_dtype=bf16, reduce_dtype=fp32) (torchtitan's and
// Composer's default): the sharded parameters are fp32 and are what the optimizer updates (no
// separate master copy, FSDPParam.sharded_param), the sharded gradients fp32 (reduce_dtype),
// Adam's exp_avg and exp_avg_sq fp32 on the shard: 4 + 4 + 8 = 16 bytes per parameter / shard
// group, the ZeRO-3 total (2 + 2 + 12) split differently. SGD keeps one fp32 momentum.
constexpr double kFsdpParamBytes = 4.0;
constexpr double kFsdpGradBytes = 4.0;
double fsdp_optimizer_bytes(Optimizer o) { return o == Optimizer::kAdam ? 8.0 : 4.0; }

// ---- Activations. ----

// Shapes and element sizes of one micro-batch on one GPU.
struct Shape {
  double tokens = 0;  // s / cp x b: the micro-batch's tokens on this GPU before tensor parallelism
  double s_full = 0;  // the whole sequence
  double h = 0, kv = 0, a = 0, t = 1;
  double e = 2;       // a saved activation: 16-bit (fp8 training keeps bf16 activations), fp32
                      // in fp32 training
  double gemm_e = 2;  // a GEMM input saved after a norm: fp8 under Transformer Engine's fp8
  double wide_e = 0;  // bytes per FFN-width element the MLP saves (all its wide tensors)
  bool fsdp = false, eager = false, te_fp8 = false, dropout = false;
  // The norms are PyTorch eager RMSNorms (Training::norm()): LayerNorm is one kernel either way.
  bool eager_rmsnorm = false;
  double seq_share = 1;   // norm-region tensors: 1/t with sequence parallelism
  double gemm_share = 1;  // a GEMM input saved after a norm
  double kv_saved = 0;    // width of the K and V tensors the attention kernel saves
  // LoRA / QLoRA (training.finetune): bytes per token the layer's adapters add (below).
  double adapter = 0;
};

Shape shape_of(const TransformerConfig& m, const Training& t, const Strategy& s) {
  Shape x;
  x.tokens = static_cast<double>(m.seq_len) / s.cp * s.micro_batch;
  x.s_full = static_cast<double>(m.seq_len);
  x.h = static_cast<double>(m.hidden);
  x.kv = static_cast<double>(m.kv_dim());
  x.a = m.heads;
  x.t = s.tp;
  x.e = activation_bytes(t.precision);
  x.fsdp = fsdp(s);
  x.eager = t.kernels == Kernels::kEager;
  x.eager_rmsnorm = m.rmsnorm && t.norm() == Kernels::kEager;
  x.dropout = m.dropout;
  // Transformer Engine with fp8 saves the fp8 copy of a GEMM input for the weight gradient
  // (linear.py: saved_inputmat is the fp8 inputmat / inputmat_t; layernorm_linear.py: ln_out
  // is produced in fp8 by the fused norm kernel). torchao's Float8Linear (torchtitan) saves the
  // high-precision input and re-casts in backward (float8_linear.py,
  // matmul_with_hp_or_float8_args: save_for_backward(input_hp, weight_hp_t)).
  x.te_fp8 = !x.fsdp && t.precision == Precision::kFp8;
  x.gemm_e = x.te_fp8 ? 1.0 : x.e;
  x.seq_share = s.sequence_parallel ? 1.0 / s.tp : 1.0;
  // Megatron's column-parallel layers under sequence parallelism save the local shard of their
  // input and all-gather it again in backward (TE layernorm_linear.py, Megatron's
  // LinearWithGradAccumulationAndAsyncCommunication); torch DTensor's ColwiseParallel saves the
  // all-gathered (Replicate) input.
  x.gemm_share = x.fsdp ? 1.0 : x.seq_share;
  // torchtitan's Attention repeats K and V to all query heads before SDPA (repeat_kv), so the
  // kernel saves full-width K and V; Megatron/TE hand grouped K and V to the kernel.
  x.kv_saved = x.fsdp ? x.h : x.kv;
  // The MLP's wide tensors (each f wide, f/t per GPU):
  //   SwiGLU, fused (Megatron's bias_swiglu, TE, torch.compile): the fc1 output (gate and up,
  //     2 x f) for the activation's backward and the activation output for fc2's weight
  //     gradient: 3;
  //   SwiGLU, eager (torchtitan's FeedForward, w2(F.silu(w1(x)) * w3(x))): silu saves its input
  //     (w1 out), the product saves both factors (silu out, w3 out), w2 its input: 4;
  //   GeLU (and squared ReLU): the activation's input and output: 2.
  // Under TE fp8 the fc2 input is saved as its fp8 copy (1 byte).
  const bool swiglu = m.ffn == FfnKind::kSwiglu;
  const double act_out = x.te_fp8 ? 1.0 : x.e;
  x.wide_e = swiglu ? (x.eager ? 4.0 * x.e : 2.0 * x.e + act_out) : x.e + act_out;
  // LoRA keeps what full training keeps: A's weight gradient reads the base layer's input, the
  // tensor Korthikanti's count already holds for the base's weight gradient (for a frozen layer
  // without an adapter PyTorch may skip saving it: the count is then an upper bound). So the
  // formula stays unchanged and the adapters add their r-wide intermediate A x, which B's weight
  // gradient reads: e x rank per token per adapted matrix (not split by tp: every rank holds
  // its r columns, finetune.hpp). PEFT's lora_dropout, when above 0, also saves a dropped copy
  // of x (not counted: the presets' recipes are stated without it).
  if (t.finetune.frozen_base()) {
    x.adapter =
        x.e * t.finetune.rank * static_cast<double>(adapted_matrices(m, t.finetune, s.tp).size());
  }
  return x;
}

// Bytes per token of one norm and the GEMM input it feeds, as saved for backward:
//   fused norm (TE's LayerNormLinear saves its input `inputmat` and its output `ln_out`;
//     Apex's and compiled norms likewise): input e + GEMM input;
//   eager RMSNorm (torchtitan's RMSNorm: x.float() * rsqrt(mean(x^2) + eps), cast back, times
//     the weight): the fp32 upcast (saved by pow and by the multiply) 4, the normalized 16-bit
//     tensor (saved by the weight multiply) e, plus the GEMM input;
//   eager LayerNorm (torch.nn.functional.layer_norm, MPT's low-precision LPLayerNorm): one
//     native kernel (aten::native_layer_norm) that saves its input and per-row mean and rstd,
//     as a fused norm does (models/workload/layer_program.cpp prices it as one kernel too).
// Both are Korthikanti's "LayerNorm input 2sbh + GEMM input 2sbh" when fused.
double norm_bytes(const Shape& x) {
  const double own = x.eager_rmsnorm ? (4.0 + x.e) : x.e;
  return own * x.h * x.seq_share + x.gemm_e * x.h * x.gemm_share;
}

// The attention core's saved state per token (split over t): unfused, the softmax output (and
// with dropout its mask and the dropout output: Korthikanti's 5as^2b) over the whole sequence;
// fused (FlashAttention, cuDNN), the fp32 log-sum-exp per head.
double attention_core_bytes(const Shape& x, const Strategy& s) {
  if (fused(s.attention)) return 4.0 * x.a / x.t;
  const double per_score = x.e + (x.dropout ? 1.0 + x.e : 0.0);
  return per_score * x.a * x.s_full / x.t;
}

// FFN width a token's FFN tensors span: the dense FFN, or for an MoE layer the straggler
// rank's routed copies plus the shared experts (moe.hpp's routing load, after the capacity
// limit when tokens are dropped).
double ffn_width(const TransformerConfig& m, const Strategy& s, int layer) {
  if (!m.is_moe_layer(layer)) return static_cast<double>(m.ffn_hidden);
  const double routed = m.moe->top_k * routing_load(*m.moe, s.ep).straggler;
  return (routed + m.moe->shared_experts) * static_cast<double>(m.expert_ffn_hidden());
}

// The layer's input (the residual stream): what full recomputation keeps (torch.utils.checkpoint
// and Megatron's CheckpointFunction save the block's inputs), sequence-sharded under SP.
double layer_input_bytes(const Shape& x) { return x.e * x.h * x.seq_share; }

// torchtitan's op-level selective checkpointing (parallelize_llama.py, _get_custom_policy):
// saves the outputs of ops in _save_list (aten.mm, the SDPA flash / efficient kernels,
// reduce_scatter_tensor, aten.max) except every second mm, counted per layer in forward order,
// and recomputes the rest; the checkpoint also keeps the block's input. The mms of a Llama
// block in order: wq, wk, wv, wo, then w1, w3, w2 (SwiGLU) or w1, w2 (GeLU): the odd ones (wq,
// wv, w1, and w2 for SwiGLU) are saved. Under tensor parallelism a row-parallel mm (wo, w2)
// outputs the full-sequence partial sum, and the reduce-scatter output (h/t) is saved as well.
double selective_op_bytes(const TransformerConfig& m, const Strategy& s, const Shape& x,
                          int layer) {
  const double f = ffn_width(m, s, layer);
  const double row = x.h;  // a row-parallel mm's output: every token, all h (partial sums)
  const bool swiglu = m.ffn == FfnKind::kSwiglu;
  const double mm[7] = {x.h / x.t, x.kv / x.t, x.kv / x.t, row, f / x.t, swiglu ? f / x.t : row,
                        row};
  const int count = swiglu ? 7 : 6;
  double per_token = 0;
  for (int i = 0; i < count; i += 2) per_token += x.e * mm[i];  // the 1st, 3rd, ... mm
  if (x.t > 1) per_token += 2.0 * x.e * x.h / x.t;              // reduce-scatter outputs
  per_token += x.e * x.h / x.t;                                 // SDPA output
  if (fused(s.attention)) per_token += 4.0 * x.a / x.t;         // its log-sum-exp
  return (per_token + layer_input_bytes(x)) * x.tokens;
}

}  // namespace

LayerShare layer_share(const TransformerConfig& m, const Strategy& s, int layer) {
  const double h = static_cast<double>(m.hidden);
  const double tp = s.tp;
  LayerShare out;
  // Attention (Q, K, V, O) is split over tp (heads); the two norms are replicated.
  out.dense = (2.0 * h * h + 2.0 * h * static_cast<double>(m.kv_dim())) / tp + 4.0 * h;
  if (m.is_moe_layer(layer)) {
    const double experts = m.moe->experts;
    // Experts are spread over ep ranks and each expert's matrices over tp (expert tensor
    // parallelism equal to tp, Megatron-LM's default); the router is replicated.
    out.expert =
        experts * m.ffn_matrices() * h * static_cast<double>(m.expert_ffn_hidden()) / (s.ep * tp);
    out.dense += h * experts;
  } else {
    out.dense += m.ffn_matrices() * h * static_cast<double>(m.ffn_hidden) / tp;
  }
  return out;
}

long microbatches_per_step(const Training& t, const Strategy& s) {
  check_strategy(s);
  const long per_step = t.global_batch / (static_cast<long>(s.dp) * s.micro_batch);
  return std::max(1L, per_step);
}

std::vector<int> stage_layers(const TransformerConfig& m, const Strategy& s, int stage) {
  check_stage(s, stage);
  const int chunks = interleaved(s) ? s.pp * s.virtual_stages : s.pp;
  const int base = m.layers / chunks;
  const int extra = m.layers % chunks;
  std::vector<int> out;
  int first = 0;
  for (int c = 0; c < chunks; ++c) {
    const int count = base + (c < extra ? 1 : 0);
    // Chunk c lives on stage c % pp: contiguous blocks without interleaving, round-robin model
    // chunks with it (Narayanan et al. 2021, Sec. 2.2.2).
    if (c % s.pp == stage) {
      for (int i = 0; i < count; ++i) out.push_back(first + i);
    }
    first += count;
  }
  return out;
}

// One layer, one micro-batch, bytes on one GPU, with N = s/cp x b tokens, t = tp:
//   norms (2):   norm_bytes each (fused: input e h + GEMM input; eager RMSNorm: + fp32 upcast)
//   dropout:     two 1-byte hidden-dropout masks (after the projection and after the MLP) when
//                the model trains with dropout (Korthikanti's "sbh" each); none otherwise
//   attention:   Q e h/t, K and V e kv_saved/t each, O e h/t (the projection's input: the same
//                tensor, except eager torchtitan's transpose(1, 2).contiguous() copy, e h/t, and
//                TE fp8's fp8 copy, h/t), plus the core's state (attention_core_bytes)
//   MLP:         wide_e f/t (Shape::wide_e); MoE layers: the straggler's routed copies of the
//                dispatched input e h and of the wide tensors, the router's fp32 logits 4E
// (norms and masks sequence-sharded under SP). With fused norms, f = 4h, MHA, dropout, no SP and
// unfused attention this is Korthikanti's sbh (10 + 24/t + 5as/(ht)); with SP sbh/t (34 + 5as/h).
// What each policy keeps:
//   none:             everything
//   selective:        everything but the attention core (Megatron's --recompute-granularity
//                     selective: core attention under CheckpointFunction)
//   full:             the layer input (torch.utils.checkpoint / Megatron's full recompute)
//   selective-op:     selective_op_bytes (torchtitan's op policy)
//   selective-layer:  layer l is fully checkpointed when (l + 1) % recompute_every == 0
//                     (torchtitan's ptd_checkpoint_wrapper counter starts at 1), else kept whole
namespace {

// layer_activations' parts for one layer: everything (`full`), what the policy keeps when the
// layer is checkpointed its way, and the layer input alone.
struct LayerParts {
  double full = 0, policy = 0, input = 0;
};

LayerParts layer_parts(const TransformerConfig& m, const Strategy& s, const Shape& x, int layer) {
  const double n = x.tokens;
  double per_token = 2.0 * norm_bytes(x);
  if (x.dropout) per_token += 2.0 * 1.0 * x.h * x.seq_share;
  per_token += x.e * (2.0 * x.h + 2.0 * x.kv_saved) / x.t;
  if (x.eager) {
    per_token += x.e * x.h / x.t;
  } else if (x.te_fp8) {
    per_token += 1.0 * x.h / x.t;
  }
  const double core = attention_core_bytes(x, s);
  if (m.is_moe_layer(layer)) {
    const double routed = m.moe->top_k * routing_load(*m.moe, s.ep).straggler;
    per_token += 4.0 * m.moe->experts * x.seq_share;  // router logits, fp32
    per_token += routed * x.e * x.h * x.seq_share;    // dispatched expert inputs
  }
  per_token += x.wide_e * ffn_width(m, s, layer) / x.t;
  per_token += x.adapter;

  LayerParts out;
  out.full = (per_token + core) * n;
  out.input = layer_input_bytes(x) * n;
  switch (s.recompute) {
    case Recompute::kNone:
    case Recompute::kSelectiveLayer:
      out.policy = out.full;
      break;
    case Recompute::kSelective:
      out.policy = per_token * n;
      break;
    case Recompute::kFull:
      out.policy = out.input;
      break;
    case Recompute::kSelectiveOp:
      out.policy = std::min(out.full, selective_op_bytes(m, s, x, layer));
      break;
  }
  return out;
}

LayerActivations apply_policy(const LayerParts& p, const Strategy& s, int layer) {
  LayerActivations out;
  out.full = p.full;
  out.kept = s.recompute == Recompute::kSelectiveLayer && (layer + 1) % s.recompute_every == 0
                 ? p.input
                 : p.policy;
  return out;
}

}  // namespace

LayerActivations layer_activations(const TransformerConfig& m, const Training& t, const Strategy& s,
                                   int layer) {
  check_strategy(s);
  return apply_policy(layer_parts(m, s, shape_of(m, t, s), layer), s, layer);
}

double layer_activation_bytes(const TransformerConfig& m, const Training& t, const Strategy& s,
                              int layer) {
  return layer_activations(m, t, s, layer).kept;
}

double layer_activation_bytes(const TransformerConfig& m, const Strategy& s, int layer,
                              Precision precision) {
  Training t;
  t.precision = precision;
  return layer_activation_bytes(m, t, s, layer);
}

// The last stage's loss, one micro-batch: the final norm's saved tensors (norm_bytes: its
// output is the output layer's saved input) plus the cross-entropy's buffers at their peak,
// with N tokens and V/t vocabulary entries per GPU (the output layer is vocabulary-parallel:
// Megatron's ColumnParallelLinear, torchtitan's loss_parallel under TP):
//   Megatron (megatron/core/tensor_parallel/cross_entropy.py, _VocabParallelCrossEntropy): the
//     16-bit logits and their fp32 copy (.float()), which becomes the softmax in place (exp_,
//     div_) and is saved; backward turns it into the gradient in place and casts it to 16 bits:
//     e + 4 bytes per logit at either moment (4 in fp32 training, where nothing is copied);
//   PyTorch eager cross_entropy on fp32 logits (torchtitan until 2025: the model's
//     output(h).float(), then F.cross_entropy = log_softmax + nll_loss): in backward the saved
//     fp32 log-softmax output, nll_loss's dense fp32 gradient and log_softmax's fp32 input
//     gradient coexist, 12 bytes per logit, and the freed 16-bit logits (e) leave a block the
//     caching allocator cannot reuse for any of these 4-byte tensors (a reserved hole);
//   fused (torch.compile'd loss, flash-attn's or Liger's cross-entropy kernels): the 16-bit
//     logits are saved and the 16-bit gradient written, fp32 only in registers: 2e.
double loss_activation_bytes(const TransformerConfig& m, const Training& t, const Strategy& s) {
  check_strategy(s);
  const Shape x = shape_of(m, t, s);
  const double logits = x.tokens * static_cast<double>(m.vocab) / x.t;
  double per_logit = 0;
  if (!x.fsdp) {
    per_logit = x.e < 4.0 ? x.e + 4.0 : 4.0;
  } else if (t.loss() == Kernels::kEager) {
    per_logit = 12.0 + (x.e < 4.0 ? x.e : 0.0);
  } else {
    per_logit = 2.0 * x.e;
  }
  return norm_bytes(x) * x.tokens + per_logit * logits;
}

double in_flight_microbatches(const Training& t, const Strategy& s, int stage) {
  check_stage(s, stage);
  const double m = static_cast<double>(microbatches_per_step(t, s));
  switch (s.schedule) {
    case Schedule::kGpipe:
      // All forward passes run before any backward pass.
      return m;
    case Schedule::k1F1B:
      break;
    case Schedule::kInterleaved:
      if (interleaved(s)) {
        // Megatron-LM's interleaved schedule runs (pp - stage - 1) x 2 + (v - 1) x pp warm-up
        // model-chunk forwards, then one more before the first backward; at most m v chunks
        // exist. Each chunk is 1/v of the stage's layers. On stage 0 with m >= pp this is
        // pp (1 + (pp - 1)/(pp v)) micro-batches, Korthikanti et al.'s factor. PyTorch's
        // ScheduleInterleaved1F1B warms up the same count.
        const double v = s.virtual_stages;
        const double pp = s.pp;
        const double chunks = std::min(2.0 * (pp - stage - 1) + (v - 1.0) * pp + 1.0, m * v);
        return chunks / v;
      }
      break;
  }
  // 1F1B: stage i starts pp - i - 1 warm-up forwards plus one before its first backward.
  return std::min(static_cast<double>(s.pp - stage), m);
}

namespace {

// A representative layer of each kind: the first dense and the first MoE layer (the first
// layer when the model has no layer of that kind; its figure is then never used).
int dense_layer(const TransformerConfig& m) {
  for (int l = 0; l < m.layers; ++l) {
    if (!m.is_moe_layer(l)) return l;
  }
  return 0;
}
int moe_layer(const TransformerConfig& m) {
  for (int l = 0; l < m.layers; ++l) {
    if (m.is_moe_layer(l)) return l;
  }
  return 0;
}

}  // namespace

MemoryEstimate estimate_memory(const TransformerConfig& m, const Training& t, const Strategy& s,
                               int stage) {
  check_stage(s, stage);
  const bool first = stage == 0;
  const bool last = stage == s.pp - 1;
  const bool is_fsdp = fsdp(s);
  const double h = static_cast<double>(m.hidden);
  const double v = static_cast<double>(m.vocab);
  const std::vector<int> layers = stage_layers(m, s, stage);
  const Shape x = shape_of(m, t, s);
  const double micro = static_cast<double>(microbatches_per_step(t, s));

  // ---- Parameters held by this GPU (tensor-parallel shares, before ZeRO sharding). ----
  // Layers differ only in being MoE or dense: each kind is priced once (the sums below still
  // add every layer, in order).
  const int kinds[2] = {dense_layer(m), moe_layer(m)};
  const LayerShare kind_share[2] = {layer_share(m, s, kinds[0]), layer_share(m, s, kinds[1])};
  const LayerParts kind_parts[2] = {layer_parts(m, s, x, kinds[0]), layer_parts(m, s, x, kinds[1])};
  // Weights of the layer's GEMMs (all but the norms' 4h and an MoE router's h x experts): what
  // fp8 casts and what FSDP's fp8 all-gather gathers in 1 byte.
  auto linear_params = [&](int kind) {
    const LayerShare& sh = kind_share[kind];
    const double other = 4.0 * h + (kind == 1 && m.moe ? h * m.moe->experts : 0.0);
    return sh.dense + sh.expert - other;
  };
  double dense = 0, expert = 0, linear = 0;
  double largest_layer = 0;           // parameters
  double largest_gathered_layer = 0;  // bytes of one all-gathered layer (FSDP)
  double max_recompute = 0;           // one layer's recomputed activations, largest on the stage
  double kept = 0;                    // activations one micro-batch leaves on the stage
  // LoRA / QLoRA: the frozen GEMM weights are stored (and gathered under FSDP) at base_bits,
  // the adapters beside them trained (finetune.hpp).
  const Finetune& ft = t.finetune;
  const bool frozen = ft.frozen_base();
  const double adapter_layer = frozen ? adapter_layer_parameters(m, ft, s.tp) : 0.0;
  const double gather_bytes = frozen             ? frozen_weight_bits(ft.base_bits) / 8.0
                              : t.fp8_all_gather ? 1.0
                                                 : param_bytes(t.precision);
  // torchtitan's float8 all-gather (enable_fsdp_float8_all_gather) gathers the Float8Linear
  // weights in fp8; norms and routers stay in the 16-bit param_dtype, as do the adapters (FSDP
  // casts them to param_dtype).
  auto gathered_of = [&](int kind) {
    const LayerShare& sh = kind_share[kind];
    return gather_bytes * linear_params(kind) +
           param_bytes(t.precision) * (sh.dense + sh.expert - linear_params(kind) + adapter_layer);
  };
  for (int layer : layers) {
    const int kind = m.is_moe_layer(layer) ? 1 : 0;
    const LayerShare& share = kind_share[kind];
    dense += share.dense;
    expert += share.expert;
    linear += linear_params(kind);
    largest_layer = std::max(largest_layer, share.dense + share.expert);
    largest_gathered_layer = std::max(largest_gathered_layer, gathered_of(kind));
    const LayerActivations acts = apply_policy(kind_parts[kind], s, layer);
    kept += acts.kept;
    max_recompute = std::max(max_recompute, acts.full - acts.kept);
  }
  // Vocabulary-parallel embeddings are split over tp. The input embedding lives on the first
  // stage, the output projection on the last; tied weights are one tensor when both are on one
  // stage, and a copy on each end (kept in sync by an all-reduce) when pp > 1, as in Megatron.
  const double embedding = v * h / s.tp;
  double root = 0;  // parameters outside the transformer layers
  if (first) root += embedding;
  const bool output_layer = last && !(m.tied_embeddings && s.pp == 1);
  if (output_layer) root += embedding;
  if (last) root += 2.0 * h;  // final norm, replicated
  dense += root;

  // ZeRO / FSDP shard over the shard group: the data-parallel ranks including the context-
  // parallel ones (they hold the same weights; Megatron's dp x cp group, torchtitan's
  // dp_shard_cp mesh), or dp_shard ranks under hybrid sharding (Strategy::shard_group()).
  // Expert weights over shard group / ep.
  const double dense_shard = s.shard_group();
  const double expert_shard = std::max(1.0, dense_shard / s.ep);
  auto sharded = [&](bool on) {
    return on ? dense / dense_shard + expert / expert_shard : dense + expert;
  };

  MemoryEstimate e;
  e.runtime = kRuntimeReserveBytes;
  if (is_fsdp) {
    // With the optimizer offloaded (ZeRO-Offload), its fp32 master copy lives on the host with
    // it and the GPU keeps 16-bit shards.
    e.params = (s.offload.optimizer_offloaded() ? param_bytes(t.precision) : kFsdpParamBytes) *
               sharded(true);
    e.grads = kFsdpGradBytes * sharded(true);
    e.optimizer = fsdp_optimizer_bytes(t.optimizer) * sharded(true);
  } else {
    e.params = weight_bytes(t.precision) * sharded(s.zero >= 3);
    // Gradients as accumulated and reduced: models/hardware/precision.hpp decides (fp32 main grads
    // for bf16 and fp8 as Megatron forces them, 16-bit for fp16), so memory and communication
    // volumes agree. Megatron keeps the whole main-grad buffer under the distributed optimizer
    // (it reduce-scatters within it); ZeRO-2 shards it.
    e.grads = grad_bytes(t.precision) * sharded(s.zero >= 2);
    e.optimizer = megatron_optimizer_bytes(t.precision, t.optimizer) * sharded(s.zero >= 1);
    if (t.precision == Precision::kFp8) {
      // Transformer Engine caches each weight's fp8 copy and, for Hopper's fp8 GEMMs (TN only),
      // its fp8 transpose from the first micro-batch on (is_first_microbatch; Megatron-Core's
      // TELinear passes it unless disable_parameter_transpose_cache): 2 bytes per GEMM weight,
      // alive the whole step. The embeddings and output layer stay 16-bit.
      e.fp8_weights = 2.0 * linear;
      e.params += e.fp8_weights;
    }
  }
  // LoRA / QLoRA: the frozen weights take no gradient and no optimizer state; only ZeRO-3 /
  // FSDP shards them (as it shards every parameter). The adapters carry PEFT's fp32 weights,
  // fp32 gradients and the optimizer's states, sharded by ZeRO's stage as full training's are.
  // (The loader refuses offload, fp8 and MoE models with a frozen base.)
  const double stage_adapters = adapter_layer * static_cast<double>(layers.size());
  if (frozen) {
    const double shard = s.zero >= 3 ? dense_shard : 1.0;
    e.frozen =
        (gather_bytes * linear + param_bytes(t.precision) * (dense + expert - linear)) / shard;
    const double adapter = kAdapterParamBytes * stage_adapters / shard;
    e.params = e.frozen + adapter;
    e.grads = kAdapterGradBytes * stage_adapters / (s.zero >= 2 ? dense_shard : 1.0);
    e.optimizer = adapter_optimizer_bytes(t.optimizer == Optimizer::kAdam) * stage_adapters /
                  (s.zero >= 1 ? dense_shard : 1.0);
    e.fp8_weights = 0;
  }
  e.trainable = e.params + e.grads + e.optimizer - e.frozen;
  // Hierarchical storage moves parameters / optimizer states off the GPU (offload_memory.hpp).
  if (s.offload.any()) apply_offload(m, t, s, stage, dense, expert, e);

  // ---- What lives between the forward and the backward passes. ----
  const double in_flight = in_flight_microbatches(t, s, stage);
  double held = kept * in_flight;
  if (first && x.dropout) {
    // Embedding dropout mask, 1 byte per element (Korthikanti et al. Sec. 4.3); the embedding
    // output itself is the first layer's input, counted with that layer.
    held += x.h * x.seq_share * x.tokens * in_flight;
  }
  // FSDP's gathered weights. The root module (embeddings, final norm, output) is not resharded
  // after forward (FSDPState._lazy_init: the root's post_forward_mesh_info = None). With
  // pipeline parallelism torchtitan keeps every layer unsharded between forward and backward
  // (apply_fsdp: reshard_after_forward=False when pp is enabled), and the pipeline stage defers
  // the reduce-scatter to the last micro-batch (torch.distributed.pipelining's stage sets
  // requires_gradient_sync False), accumulating unsharded gradients in reduce_dtype fp32
  // (FSDPParam.to_accumulated_grad_if_needed). The all-gathers themselves go through flat
  // buffers allocated on the copy-in stream (foreach_all_gather); the caching allocator keeps
  // blocks per stream, so about two layers' buffers (the current and the prefetched gather)
  // stay reserved there.
  double gathered_held = 0, gathered_loss = 0, gathered_backward = 0;
  double grad_buffers = 0, output_grad = 0;
  if (is_fsdp) {
    gathered_held = param_bytes(t.precision) * root + 2.0 * largest_gathered_layer;
    if (s.pp > 1) {
      double stage_gathered = 0;
      for (int layer : layers) stage_gathered += gathered_of(m.is_moe_layer(layer) ? 1 : 0);
      gathered_held += stage_gathered;
      if (micro > 1) e.grads += 4.0 * (frozen ? stage_adapters : dense + expert);
    } else {
      // torchtitan does not reshard the last layer after forward (FSDP would gather it again
      // at once for backward); in the backward pass the layer being differentiated and the
      // prefetched next one are unsharded.
      gathered_loss = largest_gathered_layer;
      gathered_backward = 2.0 * largest_gathered_layer;
    }
    // A layer's backward: its unsharded 16-bit gradients and their fp32 copy, the reduce-scatter
    // input (foreach_reduce casts to reduce_dtype) or the fp32 accumulation under PP.
    // With a frozen base only the adapters have gradients, and the output layer none.
    grad_buffers = (param_bytes(t.precision) + 4.0) * (frozen ? adapter_layer : largest_layer);
    // The root's output-layer gradient stays unsharded until the root's post-backward at the
    // end of the backward pass (no PP; with PP it is inside the fp32 accumulation).
    if (output_layer && s.pp == 1 && !frozen) output_grad = param_bytes(t.precision) * embedding;
    // torch.distributed.pipelining (torchtitan's PP) appends every micro-batch's stage output to
    // output_chunks for the step's merged result (PipelineStage.forward_one_chunk) and clears
    // them only when the next step starts: all m outputs stay. On the last stage that output is
    // the logits, fp32 when the model upcasts them for an eager loss (torchtitan's
    // output(h).float()), 16-bit otherwise.
    // The stage also allocates, once, a receive buffer per micro-batch for its input
    // activations (all stages but the first) and for its output's gradient (all but the last)
    // (PipelineStage._prepare_forward_infra / _prepare_backward_infra, keyed by micro-batch).
    if (s.pp > 1) {
      const double hidden = x.e * h * x.seq_share * x.tokens;  // a stage boundary's tensor
      const double output =
          last ? (t.loss() == Kernels::kEager ? 4.0 : x.e) * v / s.tp * x.tokens : hidden;
      held += micro * output;
      held += micro * hidden * ((first ? 0.0 : 1.0) + (last ? 0.0 : 1.0));
    }
  }
  const double states = e.params + e.grads + e.optimizer;

  // Context parallelism: the attention of a layer materializes the whole sequence's K and V
  // (torch's ring attention with the all-gather rotation, torch/distributed/tensor/experimental/
  // _attention.py; Transformer Engine's P2P ring keeps every received KV chunk in
  // p2p_comm_buffers until the forward returns), in the forward pass and again in backward.
  double cp_kv = 0;
  if (s.cp > 1) cp_kv = 2.0 * x.e * x.s_full * s.micro_batch * x.kv_saved / x.t;

  // A quantized base (QLoRA) dequantizes one weight matrix at a time into a 16-bit buffer for
  // its GEMM (bitsandbytes' dequantize_4bit returns a new tensor, freed after the matmul): the
  // largest one (an FFN matrix or an attention projection, PEFT's modules) during a layer.
  double dequant = 0;
  if (frozen && gather_bytes < param_bytes(t.precision)) {
    dequant =
        param_bytes(t.precision) * std::max(h * h, h * static_cast<double>(m.ffn_hidden)) / s.tp;
  }

  // ---- The three moments. ----
  struct Candidate {
    PeakPhase phase;
    double activations, buffers, loss, recompute, gathered;
  };
  std::vector<Candidate> moments;
  // A layer's backward (on every stage): what is held, one layer's recomputation, its gradient
  // buffers and the ring's K/V.
  moments.push_back(
      {PeakPhase::kLayerBackward, held + max_recompute + cp_kv,
       e.runtime + gathered_held + gathered_backward + grad_buffers + output_grad + dequant, 0,
       max_recompute + cp_kv, gathered_held + gathered_backward});
  if (last) {
    // The loss: one micro-batch's final norm, logits and cross-entropy (GPipe's last stage keeps
    // every micro-batch's).
    const double loss =
        loss_activation_bytes(m, t, s) * (s.schedule == Schedule::kGpipe ? micro : 1.0);
    moments.push_back({PeakPhase::kLoss, held + loss, e.runtime + gathered_held + gathered_loss,
                       loss, 0, gathered_held + gathered_loss});
  }
  // The optimizer step: activations are gone. PyTorch's foreach Adam (torchtitan's default,
  // torch/optim/adam.py _multi_tensor_adam) allocates one fp32 temporary per parameter shard
  // (_foreach_sqrt of exp_avg_sq); Megatron's fused Adam (Apex / TE multi_tensor_apply) works
  // in place.
  const double optimizer_temp =
      is_fsdp && t.optimizer == Optimizer::kAdam && !s.offload.optimizer_offloaded()
          ? 4.0 * (frozen ? stage_adapters / dense_shard : sharded(true))
          : 0.0;
  const double gathered_optimizer = is_fsdp ? 2.0 * largest_gathered_layer : 0.0;
  moments.push_back({PeakPhase::kOptimizer, 0.0, e.runtime + gathered_optimizer + optimizer_temp, 0,
                     0, gathered_optimizer});

  const Candidate* best = &moments.front();
  for (const Candidate& c : moments) {
    if (c.activations + c.buffers > best->activations + best->buffers) best = &c;
  }
  e.phase = best->phase;
  e.activations = best->activations;
  e.buffers = best->buffers;
  e.loss = best->loss;
  e.recompute = best->recompute;
  e.gathered = best->gathered;
  e.total = states + e.activations + e.buffers;
  return e;
}

MemoryEstimate peak_memory(const TransformerConfig& m, const Training& t, const Strategy& s,
                           int* stage_out) {
  check_strategy(s);
  int best = 0;
  MemoryEstimate best_estimate;
  best_estimate.total = -1;
  // With identical layers a middle stage holds no more than stage 0 (same layers, fewer
  // in-flight micro-batches, no embedding), so only the two ends can be the most loaded;
  // MoE models with a layer frequency vary layer by layer and are scanned whole.
  const bool uniform = !m.moe.has_value();
  for (int stage = 0; stage < s.pp; ++stage) {
    if (uniform && stage != 0 && stage != s.pp - 1) continue;
    MemoryEstimate e = estimate_memory(m, t, s, stage);
    if (e.total > best_estimate.total) {
      best_estimate = e;
      best = stage;
    }
  }
  if (stage_out != nullptr) *stage_out = best;
  return best_estimate;
}

int most_loaded_stage(const TransformerConfig& m, const Training& t, const Strategy& s) {
  int stage = 0;
  peak_memory(m, t, s, &stage);
  return stage;
}

}  // namespace cirrus::models
