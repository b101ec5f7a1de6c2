#include "models/workload/layer_program.hpp"

#include <algorithm>
#include <cmath>
#include <initializer_list>

#include "models/compute/attention_kernels.hpp"
#include "models/hardware/precision.hpp"
#include "models/workload/lora_program.hpp"
#include "models/workload/moe_traffic.hpp"

namespace cirrus::models {
namespace {

LayerItem compute(Op op) {
  LayerItem item;
  item.op = op;
  return item;
}

LayerItem comm(CollectiveKind kind, double bytes, CommGroup group, bool overlap = false) {
  LayerItem item;
  item.is_comm = true;
  item.collective = kind;
  item.comm_bytes = bytes;
  item.group = group;
  item.overlap = overlap;
  return item;
}

struct Shape {
  double tokens;     // b x s / cp: tokens of this GPU's micro-batch
  double tokens_sp;  // tokens on which norms/dropout run (divided by tp under SP)
  double h, kv_dim, f_local, heads_local, d, s_q, s_k, b;
  double ffn_mats;
  double e;  // activation element bytes
  bool sp, flash;
  bool fp8;                  // linear layers in fp8
  bool eager;                // element-wise work as PyTorch eager issues it
  bool eager_norm;           // the norms likewise (Training::norm())
  bool weight_cast;          // fp8 weights cast in the layer's forward (ZeRO-3: at every gather)
  double weight_cast_bytes;  // per weight element when they are
  bool rotary, rmsnorm, dropout;
  AttentionKernel kernel;
  int tp, cp;
  // training.finetune: frozen base weights (no weight-gradient GEMMs), the adapted matrices of a
  // dense layer on this GPU, and what dequantization a quantized base needs.
  bool frozen;
  Finetune finetune;
  Precision precision;
  std::vector<AdaptedMatrix> adapted;
};

Shape shape_of(const TransformerConfig& m, const Strategy& s, const Training& t) {
  Shape x{};
  x.b = s.micro_batch;
  x.s_q = static_cast<double>(m.seq_len) / s.cp;
  x.s_k = static_cast<double>(m.seq_len);
  x.tokens = x.b * x.s_q;
  x.sp = s.sequence_parallel && s.tp > 1;
  x.tokens_sp = x.sp ? x.tokens / s.tp : x.tokens;
  x.h = static_cast<double>(m.hidden);
  x.d = static_cast<double>(m.head_dim());
  x.kv_dim = static_cast<double>(m.kv_heads) * x.d;
  x.f_local = static_cast<double>(m.ffn_hidden) / s.tp;
  x.heads_local = static_cast<double>(m.heads) / s.tp;
  x.ffn_mats = m.ffn == FfnKind::kSwiglu ? 3.0 : 2.0;
  x.e = activation_bytes(t.precision);
  x.flash = fused(s.attention);
  x.kernel = s.attention;
  x.fp8 = t.precision == Precision::kFp8;
  x.eager = t.kernels == Kernels::kEager;
  x.eager_norm = t.norm() == Kernels::kEager;
  // Resident weights are cast once per step (Transformer Engine caches fp8 weights across
  // micro-batches; the step builder charges that cast); weights gathered per layer under
  // ZeRO-3 are cast at every gather. With the fp8 all-gather the cast happens on the shard
  // before the gather (1/shard of the work, dropped here) and only the transpose remains.
  x.weight_cast = x.fp8 && s.zero >= 3;
  x.weight_cast_bytes = t.fp8_all_gather ? 2.0 : kFp8CastBytes;
  x.rotary = m.rotary;
  x.rmsnorm = m.rmsnorm;
  x.dropout = m.dropout;
  x.tp = s.tp;
  x.cp = s.cp;
  x.frozen = t.finetune.frozen_base();
  x.finetune = t.finetune;
  x.precision = t.precision;
  x.adapted = adapted_matrices(m, t.finetune, s.tp);
  return x;
}

// A linear layer's GEMM, fp8 when the layer's inputs are.
Op linear(const char* name, const Shape& x, double m, double n, double k, double batch = 1) {
  Op op = gemm(name, m, n, k, batch, x.fp8 ? 1.0 : x.e);
  op.fp8 = x.fp8;
  return op;
}

// The two GEMMs of a linear layer's backward pass: input gradient and weight gradient, each
// looked up in a profile by the forward GEMM's shape (they are its (M, N, K) permuted).
void linear_backward(std::vector<LayerItem>& out, const char* dgrad, const char* wgrad,
                     const Op& fwd, double e) {
  const double bytes = fwd.fp8 ? 1.0 : e;
  Op dx = gemm(dgrad, fwd.m, fwd.k, fwd.n, fwd.batch, bytes);
  Op dw = gemm(wgrad, fwd.k, fwd.n, fwd.m, fwd.batch, bytes);
  for (Op* op : {&dx, &dw}) {
    op->fp8 = fwd.fp8;
    op->lookup_m = fwd.m;
    op->lookup_n = fwd.n;
    op->lookup_k = fwd.k;
  }
  out.push_back(compute(dx));
  out.push_back(compute(dw));
}

// A base linear layer's GEMM in the forward pass, after the dequantization of its weights when
// they are stored quantized (lora_program.hpp).
void base_forward(std::vector<LayerItem>& out, const Shape& x, const Op& fwd) {
  for (const Op& op : dequantize(fwd, x.finetune, x.precision)) out.push_back(compute(op));
  out.push_back(compute(fwd));
}
// Its backward: both GEMMs, or with frozen base weights only the input gradient (after the
// weights are dequantized again: bitsandbytes keeps no 16-bit copy).
void base_backward(std::vector<LayerItem>& out, const char* dgrad, const char* wgrad, const Op& fwd,
                   const Shape& x, bool quantized = true) {
  if (!x.frozen) {
    linear_backward(out, dgrad, wgrad, fwd, x.e);
    return;
  }
  if (quantized) {
    for (const Op& op : dequantize(fwd, x.finetune, x.precision)) out.push_back(compute(op));
  }
  Op dx = gemm(dgrad, fwd.m, fwd.k, fwd.n, fwd.batch, fwd.fp8 ? 1.0 : x.e);
  dx.fp8 = fwd.fp8;
  dx.lookup_m = fwd.m;
  dx.lookup_n = fwd.n;
  dx.lookup_k = fwd.k;
  out.push_back(compute(dx));
}
// The adapters beside the base layer that holds matrices `targets` (the fused QKV holds q, k and
// v; fc1 gate and up), forward or backward.
void adapters(std::vector<LayerItem>& out, const Shape& x,
              std::initializer_list<LoraTarget> targets, bool backward) {
  for (const AdaptedMatrix& a : x.adapted) {
    if (std::find(targets.begin(), targets.end(), a.target) == targets.end()) continue;
    const std::vector<Op> ops = backward
                                    ? adapter_backward(a, x.tokens, x.finetune.rank, x.e)
                                    : adapter_forward(a, x.tokens, x.finetune.rank, x.e, x.eager);
    for (const Op& op : ops) out.push_back(compute(op));
  }
}

// fp8 casts around a linear layer (kFp8CastBytes per element): its input in the forward pass
// (and its weight when cast per forward), the gradient of its output in the backward pass.
void cast_input(std::vector<LayerItem>& out, const char* name, const Shape& x, const Op& fwd) {
  if (!fwd.fp8) return;
  double bytes = kFp8CastBytes * fwd.m * fwd.k * fwd.batch;
  if (x.weight_cast) bytes += x.weight_cast_bytes * fwd.k * fwd.n * fwd.batch;
  out.push_back(compute(memory_op(name, bytes)));
}
void cast_grad(std::vector<LayerItem>& out, const char* name, const Op& fwd) {
  if (!fwd.fp8) return;
  out.push_back(compute(memory_op(name, kFp8CastBytes * fwd.m * fwd.n * fwd.batch)));
}

// ---- Memory-bound passes: bytes per element, fused kernels vs PyTorch eager. ----
// A norm over `elems` 16-bit elements. Fused (Apex/TE LayerNorm and RMSNorm, torch.compile):
// read x, write y; backward reads x and dy and writes dx. PyTorch eager RMSNorm
// (torch.nn.functional.rms_norm's composite: x.float(), pow(2), mean, mul by rsqrt, type_as,
// mul by weight) moves (e + 4) + 8 + 4 + 8 + (4 + e) + 2e bytes per element, and autograd's
// backward through those ops about twice that. LayerNorm is one native kernel in eager too.
double norm_bytes(const Shape& x, double elems, bool backward) {
  if (x.eager_norm && x.rmsnorm) {
    const double fwd = 28.0 + 4.0 * x.e;
    return (backward ? 2.0 * fwd : fwd) * elems;
  }
  return (backward ? 3.0 : 2.0) * x.e * elems;
}
// Rotary embeddings of q and k (`elems` elements). Fused: read and write them. Eager
// (Meta's/torchtitan's apply_rotary_emb: float(), complex multiply, type_as): (e + 4) + 8 +
// (4 + e) bytes per element, the same again in backward.
double rope_bytes(const Shape& x, double elems) {
  return (x.eager ? 16.0 + 2.0 * x.e : 2.0 * x.e) * elems;
}
// The FFN activation over `elems` = tokens x ffn/tp elements. SwiGLU fused: read gate and up,
// write the product (3e); backward reads dy, gate and up and writes both gradients (5e). Eager:
// silu then mul (5e), backward through mul and silu (9e). GeLU: read, write (2e); backward
// reads dy and x, writes dx (3e), one kernel either way.
double activation_bytes_of(const Shape& x, double elems, bool backward) {
  if (x.ffn_mats == 3.0) {
    if (x.eager) return (backward ? 9.0 : 5.0) * x.e * elems;
    return (backward ? 5.0 : 3.0) * x.e * elems;
  }
  return (backward ? 3.0 : 2.0) * x.e * elems;
}
// The residual add after each block, on `elems` elements. With dropout (GPT-style, Megatron's
// fused bias-dropout-add): read 2, write 1, a 1-byte mask; backward reads dy and the mask and
// writes dx and the residual branch's gradient sum: twice. Without: one add, forward and
// backward (the backward adds the two gradient paths).
double residual_bytes(const Shape& x, double elems, bool backward) {
  if (x.dropout) return (backward ? 2.0 : 1.0) * (3.0 * x.e + 1.0) * elems;
  return 3.0 * x.e * elems;
}

// Fused attention of one GPU over its queries: one kernel, or under context parallelism the
// ring: cp steps, each after the send/recv of a K,V block to the next rank (overlapped with the
// step before it). Load-balanced causal ring attention (Megatron-Core/TE, torchtitan) gives each
// rank two of 2 cp chunks: the first step is the causal diagonal block (s/cp queries and keys),
// each other step half a block (s/cp queries against s/2cp keys, or the reverse), without mask.
void fused_attention(std::vector<LayerItem>& out, const Shape& x, bool backward, double kv_bytes) {
  const double bh = x.b * x.heads_local;
  const double ratio = backward ? kFaBackwardRatio : 1.0;
  const double qkvo = x.e * x.tokens * (2.0 * x.heads_local * x.d + 2.0 * x.kv_dim / x.tp);
  auto kernel = [&](double s_q, double s_k, bool causal) {
    // Executed FLOPs in cirrus's convention (a causal kernel computes the (blocks + 1) /
    // (2 blocks) lower-triangle share of 128-token blocks), and FlashAttention's for its curves.
    const double blocks = std::max(1.0, s_k / 128.0);
    const double share = causal ? (blocks + 1.0) / (2.0 * blocks) : 1.0;
    Op op =
        flash_attention(backward ? "flash_attn_bwd" : "flash_attn_fwd",
                        4.0 * bh * s_q * s_k * x.d * share * ratio, backward ? 2.0 * qkvo : qkvo);
    op.attention = {x.b,
                    x.heads_local,
                    std::sqrt(s_q * s_k),
                    x.d,
                    causal,
                    backward,
                    x.kernel,
                    fa_forward_flops(bh, s_q, s_k, x.d, causal) * ratio};
    return compute(op);
  };
  if (x.cp == 1) {
    out.push_back(kernel(x.s_q, x.s_k, true));
    return;
  }
  // Backward passes the K,V block and its gradient around the ring.
  const double step_bytes = backward ? 2.0 * kv_bytes : kv_bytes;
  for (int i = 0; i < x.cp; ++i) {
    if (i + 1 < x.cp) {
      out.push_back(comm(CollectiveKind::kSendRecv, step_bytes, CommGroup::kCp, true));
    }
    out.push_back(i == 0 ? kernel(x.s_q, x.s_q, true) : kernel(x.s_q, x.s_q / 2.0, false));
  }
}

// Attention core: scores, softmax, dropout, context. Appends forward or backward items.
void attention_core(std::vector<LayerItem>& out, const Shape& x, bool backward, double kv_bytes) {
  if (x.flash) {
    fused_attention(out, x, backward, kv_bytes);
    return;
  }
  // Unfused: batched GEMMs over (b x heads) and memory-bound passes over the s_q x s_k
  // scores in 16-bit; dropout keeps a 1-byte mask.
  const double batch = x.b * x.heads_local;
  const Op qk = gemm("attn_scores", x.s_q, x.s_k, x.d, batch, x.e);
  const Op av = gemm("attn_context", x.s_q, x.d, x.s_k, batch, x.e);
  const double scores = batch * x.s_q * x.s_k;
  if (!backward) {
    out.push_back(compute(qk));
    out.push_back(compute(memory_op("scale_mask_softmax", 2.0 * x.e * scores)));
    if (x.dropout) out.push_back(compute(memory_op("attn_dropout", (2.0 * x.e + 1.0) * scores)));
    out.push_back(compute(av));
  } else {
    linear_backward(out, "attn_context_dgrad", "attn_context_wgrad", av, x.e);
    if (x.dropout) {
      out.push_back(compute(memory_op("attn_dropout_bwd", (2.0 * x.e + 1.0) * scores)));
    }
    out.push_back(compute(memory_op("softmax_bwd", 3.0 * x.e * scores)));
    linear_backward(out, "attn_scores_dgrad", "attn_scores_wgrad", qk, x.e);
  }
}

// The shared experts of an MoE layer: a dense FFN of width shared x expert_ffn_hidden (per
// GPU: / tp) on every token; forward or backward items. (Op names must be literals: Op keeps
// a const char*.)
void shared_ffn(std::vector<LayerItem>& out, const Shape& x, double f_local, bool backward) {
  const Op fc1 = linear("shared_fc1", x, x.tokens, (x.ffn_mats - 1.0) * f_local, x.h);
  const Op fc2 = linear("shared_fc2", x, x.tokens, x.h, f_local);
  const double act = activation_bytes_of(x, x.tokens * f_local, backward);
  if (!backward) {
    cast_input(out, "shared_fc1_fp8_cast", x, fc1);
    out.push_back(compute(fc1));
    out.push_back(compute(memory_op("shared_activation", act)));
    cast_input(out, "shared_fc2_fp8_cast", x, fc2);
    out.push_back(compute(fc2));
  } else {
    cast_grad(out, "shared_fc2_grad_fp8_cast", fc2);
    linear_backward(out, "shared_fc2_dgrad", "shared_fc2_wgrad", fc2, x.e);
    out.push_back(compute(memory_op("shared_activation_bwd", act)));
    cast_grad(out, "shared_fc1_grad_fp8_cast", fc1);
    linear_backward(out, "shared_fc1_dgrad", "shared_fc1_wgrad", fc1, x.e);
  }
}

// The FFN block of an MoE layer on the straggler rank (moe_traffic.hpp), forward or backward,
// between norm2 and the residual add. Sequence parallelism is on whenever tp > 1 (validity).
void moe_ffn_block(std::vector<LayerItem>& out, const TransformerConfig& m, const Strategy& s,
                   const Shape& x, const MoeTraffic& t, bool backward) {
  const MoeConfig& c = *m.moe;
  const bool tp = s.tp > 1;
  const bool ep = s.ep > 1;
  const double experts = c.experts;
  const double copies_in = t.tokens_in * c.top_k;  // copies this GPU routes
  const double fe_local = static_cast<double>(c.expert_ffn_hidden) / s.tp;
  // Router: logits = x W_r (tokens x h x experts), softmax and top-k in fp32 (Megatron-Core
  // computes routing in fp32): read the logits, write fp32 probabilities, then top-k indices and
  // weights (4 + 4 bytes per copy). The router stays in 16 bits under fp8 training.
  const Op router = gemm("router", t.tokens_in, experts, x.h, 1, x.e);
  const double routing_bytes = t.tokens_in * experts * (x.e + 4.0) + copies_in * 8.0;
  // Permutation: gather each token's top_k copies into expert order (read + write a row per
  // copy); unpermutation scatters them back and sums the top_k weighted copies per token.
  const double permute = 2.0 * x.e * copies_in * x.h;
  // Expert GEMMs as one grouped GEMM over the rank's experts: batch = local experts, rows =
  // the copies each receives (the straggler's, in total `expert_copies`).
  const double rows = t.expert_copies / t.local_experts;
  const Op efc1 =
      linear("expert_fc1", x, rows, (x.ffn_mats - 1.0) * fe_local, x.h, t.local_experts);
  const Op efc2 = linear("expert_fc2", x, rows, x.h, fe_local, t.local_experts);
  const double eact_f = activation_bytes_of(x, t.expert_copies * fe_local, false);
  const double eact_b = activation_bytes_of(x, t.expert_copies * fe_local, true);
  const double shared_f = static_cast<double>(c.shared_experts) * fe_local;
  const double act = x.e * x.tokens * x.h;

  auto shared = [&](bool bwd) {
    if (c.shared_experts <= 0) return;
    // Megatron-Core's SharedExpertMLP: a dense FFN with the usual sequence-parallel
    // all-gather before and reduce-scatter after.
    if (tp) out.push_back(comm(CollectiveKind::kAllGather, act, CommGroup::kTp, s.overlap.tp));
    shared_ffn(out, x, shared_f, bwd);
    if (tp) out.push_back(comm(CollectiveKind::kReduceScatter, act, CommGroup::kTp, s.overlap.tp));
  };

  if (!backward) {
    out.push_back(compute(router));
    out.push_back(compute(memory_op("router_softmax_topk", routing_bytes)));
    out.push_back(compute(memory_op("moe_permute", permute)));
    if (ep) out.push_back(comm(CollectiveKind::kAllToAll, t.all_to_all_bytes, CommGroup::kEp));
    if (tp) {
      out.push_back(
          comm(CollectiveKind::kAllGather, t.tp_gather_bytes, CommGroup::kTp, s.overlap.tp));
    }
    cast_input(out, "expert_fc1_fp8_cast", x, efc1);
    out.push_back(compute(efc1));
    out.push_back(compute(memory_op("expert_activation", eact_f)));
    cast_input(out, "expert_fc2_fp8_cast", x, efc2);
    out.push_back(compute(efc2));
    if (tp) {
      out.push_back(
          comm(CollectiveKind::kReduceScatter, t.tp_gather_bytes, CommGroup::kTp, s.overlap.tp));
    }
    if (ep) out.push_back(comm(CollectiveKind::kAllToAll, t.all_to_all_bytes, CommGroup::kEp));
    out.push_back(compute(memory_op("moe_unpermute", permute)));
    shared(false);
    return;
  }
  // Backward mirrors the forward: the gradients take the same all-to-alls in reverse.
  shared(true);
  out.push_back(compute(memory_op("moe_unpermute_bwd", permute)));
  if (ep) out.push_back(comm(CollectiveKind::kAllToAll, t.all_to_all_bytes, CommGroup::kEp));
  if (tp) {
    out.push_back(
        comm(CollectiveKind::kAllGather, t.tp_gather_bytes, CommGroup::kTp, s.overlap.tp));
  }
  cast_grad(out, "expert_fc2_grad_fp8_cast", efc2);
  linear_backward(out, "expert_fc2_dgrad", "expert_fc2_wgrad", efc2, x.e);
  out.push_back(compute(memory_op("expert_activation_bwd", eact_b)));
  cast_grad(out, "expert_fc1_grad_fp8_cast", efc1);
  linear_backward(out, "expert_fc1_dgrad", "expert_fc1_wgrad", efc1, x.e);
  if (tp) {
    out.push_back(
        comm(CollectiveKind::kReduceScatter, t.tp_gather_bytes, CommGroup::kTp, s.overlap.tp));
  }
  if (ep) out.push_back(comm(CollectiveKind::kAllToAll, t.all_to_all_bytes, CommGroup::kEp));
  out.push_back(compute(memory_op("moe_permute_bwd", permute)));
  out.push_back(compute(memory_op("router_softmax_topk_bwd", 2.0 * routing_bytes)));
  linear_backward(out, "router_dgrad", "router_wgrad", router, x.e);
}

// torchtitan's op-level selective checkpointing (torchtitan/models/llama/parallelize_llama.py,
// _save_list and the "every second mm" rule) saves the outputs of the attention kernel and of
// the 1st, 3rd, 5th, ... matmuls of a layer (wq, wv, w1, w2 of wq wk wv wo w1 w3 w2) and
// recomputes, before the backward pass, what the backward needs of the rest: the norms (the
// inputs of the projections' weight gradients), wk and the rotary embedding (the attention
// kernel's saved K), and for SwiGLU w3 and the activation (the inputs of w2's weight
// gradient). wo's output feeds only the residual add, which saves nothing: it is not rerun.
// GeLU FFNs (w1, w2): the activation is rerun, no GEMM.
void op_level_recompute(std::vector<LayerItem>& out, const Shape& x) {
  const double norm = norm_bytes(x, x.tokens_sp * x.h, false);
  out.push_back(compute(memory_op("norm1", norm)));
  const Op wk = linear("attn_k", x, x.tokens, x.kv_dim / x.tp, x.h);
  cast_input(out, "attn_k_fp8_cast", x, wk);
  out.push_back(compute(wk));
  if (x.rotary) {
    out.push_back(compute(
        memory_op("rope", rope_bytes(x, x.tokens * (x.heads_local * x.d + x.kv_dim / x.tp)))));
  }
  out.push_back(compute(memory_op("norm2", norm)));
  if (x.ffn_mats == 3.0) {
    out.push_back(compute(linear("fc1_up", x, x.tokens, x.f_local, x.h)));
  }
  out.push_back(
      compute(memory_op("activation", activation_bytes_of(x, x.tokens * x.f_local, false))));
}

}  // namespace

bool recomputes_layer(const Strategy& s, int layer) {
  switch (s.recompute) {
    case Recompute::kNone:
      return false;
    case Recompute::kSelectiveLayer:
      return (layer + 1) % std::max(1, s.recompute_every) == 0;
    case Recompute::kSelective:
    case Recompute::kSelectiveOp:
    case Recompute::kFull:
      return true;
  }
  return true;
}

double recompute_share(const Strategy& s) {
  if (s.recompute == Recompute::kNone) return 0.0;
  if (s.recompute == Recompute::kSelectiveLayer) return 1.0 / std::max(1, s.recompute_every);
  return 1.0;
}

LayerProgram transformer_layer(const TransformerConfig& m, const Strategy& s, Precision p,
                               bool moe_ffn) {
  Training t;
  t.precision = p;
  return transformer_layer(m, s, t, moe_ffn);
}

LayerProgram transformer_layer(const TransformerConfig& m, const Strategy& s, const Training& t,
                               bool moe_ffn) {
  const Shape x = shape_of(m, s, t);
  moe_ffn = moe_ffn && m.moe.has_value();
  const MoeTraffic traffic = moe_ffn ? moe_traffic(m, s, t.precision) : MoeTraffic{};
  const double act = x.e * x.tokens * x.h;    // one full [tokens, h] activation
  const double sp_elems = x.tokens_sp * x.h;  // the part this GPU normalises
  const bool tp = s.tp > 1;
  const bool cp = s.cp > 1;
  const bool ov = s.overlap.tp;
  const Op qkv = linear("qkv", x, x.tokens, (x.h + 2.0 * x.kv_dim) / x.tp, x.h);
  const Op proj = linear("attn_out", x, x.tokens, x.h, x.h / x.tp);
  const double up_cols = (x.ffn_mats - 1.0) * x.f_local;  // gate+up for SwiGLU
  const Op fc1 = linear("fc1", x, x.tokens, up_cols, x.h);
  const Op fc2 = linear("fc2", x, x.tokens, x.h, x.f_local);
  const double ffn_elems = x.tokens * x.f_local;
  const double rope_elems = x.tokens * (x.heads_local * x.d + x.kv_dim / x.tp);
  // K,V of this rank's tokens: what ring attention passes to the next rank at every step (and
  // what the unfused path all-gathers).
  const double kv_bytes = 2.0 * x.e * x.tokens * x.kv_dim / x.tp;
  const auto tp_out = x.sp ? CollectiveKind::kReduceScatter : CollectiveKind::kAllReduce;

  LayerProgram prog;
  auto& f = prog.forward;
  f.push_back(compute(memory_op("norm1", norm_bytes(x, sp_elems, false))));
  if (tp && x.sp) f.push_back(comm(CollectiveKind::kAllGather, act, CommGroup::kTp, ov));
  cast_input(f, "qkv_fp8_cast", x, qkv);
  base_forward(f, x, qkv);
  adapters(f, x, {LoraTarget::kQ, LoraTarget::kK, LoraTarget::kV}, false);
  if (x.rotary) f.push_back(compute(memory_op("rope", rope_bytes(x, rope_elems))));
  if (cp && !x.flash)
    f.push_back(comm(CollectiveKind::kAllGather, kv_bytes * s.cp, CommGroup::kCp));
  attention_core(f, x, false, kv_bytes);
  cast_input(f, "attn_out_fp8_cast", x, proj);
  base_forward(f, x, proj);
  adapters(f, x, {LoraTarget::kO}, false);
  if (tp) f.push_back(comm(tp_out, act, CommGroup::kTp, ov));
  f.push_back(compute(memory_op(x.dropout ? "bias_dropout_add1" : "residual_add1",
                                residual_bytes(x, sp_elems, false))));
  f.push_back(compute(memory_op("norm2", norm_bytes(x, sp_elems, false))));
  if (moe_ffn) {
    moe_ffn_block(f, m, s, x, traffic, false);
  } else {
    if (tp && x.sp) f.push_back(comm(CollectiveKind::kAllGather, act, CommGroup::kTp, ov));
    cast_input(f, "fc1_fp8_cast", x, fc1);
    base_forward(f, x, fc1);
    adapters(f, x, {LoraTarget::kGate, LoraTarget::kUp}, false);
    f.push_back(compute(memory_op("activation", activation_bytes_of(x, ffn_elems, false))));
    cast_input(f, "fc2_fp8_cast", x, fc2);
    base_forward(f, x, fc2);
    adapters(f, x, {LoraTarget::kDown}, false);
    if (tp) f.push_back(comm(tp_out, act, CommGroup::kTp, ov));
  }
  f.push_back(compute(memory_op(x.dropout ? "bias_dropout_add2" : "residual_add2",
                                residual_bytes(x, sp_elems, false))));

  // Backward, in reverse.
  auto& g = prog.backward;
  g.push_back(compute(memory_op(x.dropout ? "bias_dropout_add2_bwd" : "residual_add2_bwd",
                                residual_bytes(x, sp_elems, true))));
  if (moe_ffn) {
    moe_ffn_block(g, m, s, x, traffic, true);
  } else {
    if (tp && x.sp) g.push_back(comm(CollectiveKind::kAllGather, act, CommGroup::kTp, ov));
    cast_grad(g, "fc2_grad_fp8_cast", fc2);
    adapters(g, x, {LoraTarget::kDown}, true);
    base_backward(g, "fc2_dgrad", "fc2_wgrad", fc2, x);
    g.push_back(compute(memory_op("activation_bwd", activation_bytes_of(x, ffn_elems, true))));
    cast_grad(g, "fc1_grad_fp8_cast", fc1);
    adapters(g, x, {LoraTarget::kGate, LoraTarget::kUp}, true);
    base_backward(g, "fc1_dgrad", "fc1_wgrad", fc1, x);
    if (tp) g.push_back(comm(tp_out, act, CommGroup::kTp, ov));
  }
  g.push_back(compute(memory_op("norm2_bwd", norm_bytes(x, sp_elems, true))));
  g.push_back(compute(memory_op(x.dropout ? "bias_dropout_add1_bwd" : "residual_add1_bwd",
                                residual_bytes(x, sp_elems, true))));
  if (tp && x.sp) g.push_back(comm(CollectiveKind::kAllGather, act, CommGroup::kTp, ov));
  cast_grad(g, "attn_out_grad_fp8_cast", proj);
  adapters(g, x, {LoraTarget::kO}, true);
  base_backward(g, "attn_out_dgrad", "attn_out_wgrad", proj, x);
  attention_core(g, x, true, kv_bytes);
  if (cp && !x.flash) {
    g.push_back(comm(CollectiveKind::kReduceScatter, kv_bytes * s.cp, CommGroup::kCp));
  }
  if (x.rotary) g.push_back(compute(memory_op("rope_bwd", rope_bytes(x, rope_elems))));
  cast_grad(g, "qkv_grad_fp8_cast", qkv);
  adapters(g, x, {LoraTarget::kQ, LoraTarget::kK, LoraTarget::kV}, true);
  base_backward(g, "qkv_dgrad", "qkv_wgrad", qkv, x);
  if (tp) g.push_back(comm(tp_out, act, CommGroup::kTp, ov));
  g.push_back(compute(memory_op("norm1_bwd", norm_bytes(x, sp_elems, true))));

  switch (s.recompute) {
    case Recompute::kNone:
      break;
    case Recompute::kFull:
    case Recompute::kSelectiveLayer:
      prog.recompute = prog.forward;
      break;
    case Recompute::kSelectiveOp:
      // MoE layers rerun the attention half's ops; their experts' activations are saved.
      op_level_recompute(prog.recompute, x);
      break;
    case Recompute::kSelective:
      // Fused attention never stores the scores: its backward already recomputes them, so
      // selective recomputation adds nothing.
      if (!x.flash) attention_core(prog.recompute, x, false, kv_bytes);
      break;
  }
  return prog;
}

LayerProgram embedding_layer(const TransformerConfig& m, const Strategy& s, const Training& t) {
  const Shape x = shape_of(m, s, t);
  const double act = x.e * x.tokens * x.h;
  LayerProgram prog;
  // Vocabulary-parallel lookup: each TP rank gathers its rows, then the partial embeddings
  // are summed (all-reduce, or reduce-scatter under sequence parallelism).
  prog.forward.push_back(compute(memory_op("embedding_lookup", 2.0 * act)));
  if (s.tp > 1) {
    prog.forward.push_back(comm(x.sp ? CollectiveKind::kReduceScatter : CollectiveKind::kAllReduce,
                                act, CommGroup::kTp));
  }
  if (x.dropout) {
    prog.forward.push_back(compute(memory_op("embedding_dropout", 2.0 * act / (x.sp ? x.tp : 1))));
  }
  // Backward scatter-adds token gradients into the local vocabulary rows; a frozen embedding
  // (LoRA, QLoRA) has no gradient to compute.
  if (x.frozen) return prog;
  if (s.tp > 1 && x.sp) {
    prog.backward.push_back(comm(CollectiveKind::kAllGather, act, CommGroup::kTp));
  }
  prog.backward.push_back(compute(memory_op("embedding_grad", 3.0 * act)));
  return prog;
}

LayerProgram output_layer(const TransformerConfig& m, const Strategy& s, const Training& t) {
  const Shape x = shape_of(m, s, t);
  const double act = x.e * x.tokens * x.h;
  const double vocab_local = static_cast<double>(m.vocab) / s.tp;
  // The output projection stays in 16 bits under fp8 training (Transformer Engine and torchao
  // leave the output layer out of fp8).
  const Op logits = gemm("logits", x.tokens, vocab_local, x.h, 1, x.e);
  // Vocabulary-parallel cross entropy upcasts the logits to fp32: read 16-bit logits, write
  // fp32 softmax, plus three small all-reduces of per-token statistics.
  const double ce_bytes = x.tokens * vocab_local * (x.e + 4.0);
  const double final_norm = x.tokens_sp * x.h;
  LayerProgram prog;
  prog.forward.push_back(compute(memory_op("final_norm", norm_bytes(x, final_norm, false))));
  if (s.tp > 1 && x.sp)
    prog.forward.push_back(comm(CollectiveKind::kAllGather, act, CommGroup::kTp));
  prog.forward.push_back(compute(logits));
  prog.forward.push_back(compute(memory_op("cross_entropy", ce_bytes)));
  if (s.tp > 1) {
    prog.forward.push_back(comm(CollectiveKind::kAllReduce, 3.0 * 4.0 * x.tokens, CommGroup::kTp));
  }
  prog.backward.push_back(compute(memory_op("cross_entropy_bwd", ce_bytes)));
  // The output layer stays 16-bit and frozen under LoRA / QLoRA: its input gradient only.
  base_backward(prog.backward, "logits_dgrad", "logits_wgrad", logits, x, false);
  if (s.tp > 1) {
    prog.backward.push_back(comm(x.sp ? CollectiveKind::kReduceScatter : CollectiveKind::kAllReduce,
                                 act, CommGroup::kTp));
  }
  prog.backward.push_back(compute(memory_op("final_norm_bwd", norm_bytes(x, final_norm, true))));
  return prog;
}

}  // namespace cirrus::models
