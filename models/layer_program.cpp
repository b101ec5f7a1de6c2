#include "models/layer_program.hpp"

#include <algorithm>
#include <cmath>

#include "models/efficiency.hpp"
#include "models/moe_traffic.hpp"
#include "models/precision.hpp"

namespace cirrus::models {
namespace {

LayerItem compute(Op op) {
  LayerItem item;
  item.op = op;
  return item;
}

LayerItem comm(CollectiveKind kind, double bytes, CommGroup group) {
  LayerItem item;
  item.is_comm = true;
  item.collective = kind;
  item.comm_bytes = bytes;
  item.group = group;
  return item;
}

// The two GEMMs of a linear layer's backward pass: input gradient and weight gradient.
void linear_backward(std::vector<LayerItem>& out, const char* dgrad, const char* wgrad,
                     const Op& fwd, double e) {
  out.push_back(compute(gemm(dgrad, fwd.m, fwd.k, fwd.n, fwd.batch, e)));
  out.push_back(compute(gemm(wgrad, fwd.k, fwd.n, fwd.m, fwd.batch, e)));
}

struct Shape {
  double tokens;        // b x s / cp: tokens of this GPU's micro-batch
  double tokens_sp;     // tokens on which norms/dropout run (divided by tp under SP)
  double h, kv_dim, f_local, heads_local, d, s_q, s_k, b;
  double ffn_mats;
  double e;             // activation element bytes
  bool sp, flash;
  int tp, cp;
};

Shape shape_of(const TransformerConfig& m, const Strategy& s, Precision p) {
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
  x.e = activation_bytes(p);
  x.flash = fused(s.attention);
  x.tp = s.tp;
  x.cp = s.cp;
  return x;
}

// Attention core: scores, softmax, dropout, context. Appends forward or backward items.
void attention_core(std::vector<LayerItem>& out, const Shape& x, bool backward) {
  const double batch = x.b * x.heads_local;
  if (x.flash) {
    // FlashAttention computes causal attention on the lower triangle of (s/128)^2 blocks.
    const double blocks = std::max(1.0, x.s_k / 128.0);
    const double causal = (blocks + 1.0) / (2.0 * blocks);
    const double fwd_flops = 4.0 * batch * x.s_q * x.s_k * x.d * causal;
    const double qkvo = x.e * x.tokens * (2.0 * x.heads_local * x.d + 2.0 * x.kv_dim / x.tp);
    Op op = backward ? flash_attention("flash_attn_bwd",
                                       fwd_flops * defaults::kFlashBackwardFlopsRatio, 2.0 * qkvo)
                     : flash_attention("flash_attn_fwd", fwd_flops, qkvo);
    // The profile's attention points are self-attention over the whole sequence; with context
    // parallelism a rank's kernel sees s_q x s_k blocks, looked up at the geometric mean.
    op.attention = {x.b, x.heads_local, std::sqrt(x.s_q * x.s_k), x.d, true, backward};
    out.push_back(compute(op));
    return;
  }
  // Unfused: batched GEMMs over (b x heads) and memory-bound passes over the s_q x s_k
  // scores in 16-bit; dropout keeps a 1-byte mask.
  const Op qk = gemm("attn_scores", x.s_q, x.s_k, x.d, batch, x.e);
  const Op av = gemm("attn_context", x.s_q, x.d, x.s_k, batch, x.e);
  const double scores = batch * x.s_q * x.s_k;
  if (!backward) {
    out.push_back(compute(qk));
    out.push_back(compute(memory_op("scale_mask_softmax", 2.0 * x.e * scores)));
    out.push_back(compute(memory_op("attn_dropout", (2.0 * x.e + 1.0) * scores)));
    out.push_back(compute(av));
  } else {
    linear_backward(out, "attn_context_dgrad", "attn_context_wgrad", av, x.e);
    out.push_back(compute(memory_op("attn_dropout_bwd", (2.0 * x.e + 1.0) * scores)));
    out.push_back(compute(memory_op("softmax_bwd", 3.0 * x.e * scores)));
    linear_backward(out, "attn_scores_dgrad", "attn_scores_wgrad", qk, x.e);
  }
}

// The shared experts of an MoE layer: a dense FFN of width shared x expert_ffn_hidden (per
// GPU: / tp) on every token; forward or backward items. (Op names must be literals: Op keeps
// a const char*.)
void shared_ffn(std::vector<LayerItem>& out, const Shape& x, double f_local, bool backward) {
  const Op fc1 = gemm("shared_fc1", x.tokens, (x.ffn_mats - 1.0) * f_local, x.h, 1, x.e);
  const Op fc2 = gemm("shared_fc2", x.tokens, x.h, f_local, 1, x.e);
  const double activation = x.e * x.tokens * f_local * (x.ffn_mats == 3.0 ? 3.0 : 2.0);
  if (!backward) {
    out.push_back(compute(fc1));
    out.push_back(compute(memory_op("shared_activation", activation)));
    out.push_back(compute(fc2));
  } else {
    linear_backward(out, "shared_fc2_dgrad", "shared_fc2_wgrad", fc2, x.e);
    out.push_back(compute(memory_op("shared_activation_bwd", 2.0 * activation)));
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
  // weights (4 + 4 bytes per copy).
  const Op router = gemm("router", t.tokens_in, experts, x.h, 1, x.e);
  const double routing_bytes = t.tokens_in * experts * (x.e + 4.0) + copies_in * 8.0;
  // Permutation: gather each token's top_k copies into expert order (read + write a row per
  // copy); unpermutation scatters them back and sums the top_k weighted copies per token.
  const double permute = 2.0 * x.e * copies_in * x.h;
  // Expert GEMMs as one grouped GEMM over the rank's experts: batch = local experts, rows =
  // the copies each receives (the straggler's, in total `expert_copies`).
  const double rows = t.expert_copies / t.local_experts;
  const Op efc1 = gemm("expert_fc1", rows, (x.ffn_mats - 1.0) * fe_local, x.h, t.local_experts,
                       x.e);
  const Op efc2 = gemm("expert_fc2", rows, x.h, fe_local, t.local_experts, x.e);
  const double eact = x.e * t.expert_copies * fe_local * (x.ffn_mats == 3.0 ? 3.0 : 2.0);
  const double shared_f = static_cast<double>(c.shared_experts) * fe_local;
  const double act = x.e * x.tokens * x.h;

  auto shared = [&](bool bwd) {
    if (c.shared_experts <= 0) return;
    // Megatron-Core's SharedExpertMLP: a dense FFN with the usual sequence-parallel
    // all-gather before and reduce-scatter after.
    if (tp) out.push_back(comm(CollectiveKind::kAllGather, act, CommGroup::kTp));
    shared_ffn(out, x, shared_f, bwd);
    if (tp) out.push_back(comm(CollectiveKind::kReduceScatter, act, CommGroup::kTp));
  };

  if (!backward) {
    out.push_back(compute(router));
    out.push_back(compute(memory_op("router_softmax_topk", routing_bytes)));
    out.push_back(compute(memory_op("moe_permute", permute)));
    if (ep) out.push_back(comm(CollectiveKind::kAllToAll, t.all_to_all_bytes, CommGroup::kEp));
    if (tp) out.push_back(comm(CollectiveKind::kAllGather, t.tp_gather_bytes, CommGroup::kTp));
    out.push_back(compute(efc1));
    out.push_back(compute(memory_op("expert_activation", eact)));
    out.push_back(compute(efc2));
    if (tp) out.push_back(comm(CollectiveKind::kReduceScatter, t.tp_gather_bytes, CommGroup::kTp));
    if (ep) out.push_back(comm(CollectiveKind::kAllToAll, t.all_to_all_bytes, CommGroup::kEp));
    out.push_back(compute(memory_op("moe_unpermute", permute)));
    shared(false);
    return;
  }
  // Backward mirrors the forward: the gradients take the same all-to-alls in reverse.
  shared(true);
  out.push_back(compute(memory_op("moe_unpermute_bwd", permute)));
  if (ep) out.push_back(comm(CollectiveKind::kAllToAll, t.all_to_all_bytes, CommGroup::kEp));
  if (tp) out.push_back(comm(CollectiveKind::kAllGather, t.tp_gather_bytes, CommGroup::kTp));
  linear_backward(out, "expert_fc2_dgrad", "expert_fc2_wgrad", efc2, x.e);
  out.push_back(compute(memory_op("expert_activation_bwd", 2.0 * eact)));
  linear_backward(out, "expert_fc1_dgrad", "expert_fc1_wgrad", efc1, x.e);
  if (tp) out.push_back(comm(CollectiveKind::kReduceScatter, t.tp_gather_bytes, CommGroup::kTp));
  if (ep) out.push_back(comm(CollectiveKind::kAllToAll, t.all_to_all_bytes, CommGroup::kEp));
  out.push_back(compute(memory_op("moe_permute_bwd", permute)));
  out.push_back(compute(memory_op("router_softmax_topk_bwd", 2.0 * routing_bytes)));
  linear_backward(out, "router_dgrad", "router_wgrad", router, x.e);
}

}  // namespace

LayerProgram transformer_layer(const TransformerConfig& m, const Strategy& s, Precision p,
                               bool moe_ffn) {
  const Shape x = shape_of(m, s, p);
  moe_ffn = moe_ffn && m.moe.has_value();
  const MoeTraffic traffic = moe_ffn ? moe_traffic(m, s, p) : MoeTraffic{};
  const double act = x.e * x.tokens * x.h;        // one full [tokens, h] activation
  const double act_sp = x.e * x.tokens_sp * x.h;  // the part this GPU normalises
  const bool tp = s.tp > 1;
  const bool cp = s.cp > 1;
  const Op qkv = gemm("qkv", x.tokens, (x.h + 2.0 * x.kv_dim) / x.tp, x.h, 1, x.e);
  const Op proj = gemm("attn_out", x.tokens, x.h, x.h / x.tp, 1, x.e);
  const double up_cols = (x.ffn_mats - 1.0) * x.f_local;  // gate+up for SwiGLU
  const Op fc1 = gemm("fc1", x.tokens, up_cols, x.h, 1, x.e);
  const Op fc2 = gemm("fc2", x.tokens, x.h, x.f_local, 1, x.e);
  // Bytes of the fused element-wise passes (read inputs, write outputs; masks are 1 byte).
  const double norm = 2.0 * act_sp;                      // layernorm/rmsnorm: read x, write y
  const double bias_dropout_add = 3.0 * act_sp + act_sp / x.e;  // read 2, write 1, mask
  const double activation =
      x.e * x.tokens * x.f_local * (m.ffn == FfnKind::kSwiglu ? 3.0 : 2.0);
  // K,V of the other context-parallel ranks (ring attention exchanges them every layer).
  const double kv_bytes = 2.0 * x.e * x.tokens * x.kv_dim / x.tp;

  LayerProgram prog;
  auto& f = prog.forward;
  f.push_back(compute(memory_op("norm1", norm)));
  if (tp && x.sp) f.push_back(comm(CollectiveKind::kAllGather, act, CommGroup::kTp));
  f.push_back(compute(qkv));
  if (cp) f.push_back(comm(CollectiveKind::kAllGather, kv_bytes * s.cp, CommGroup::kCp));
  attention_core(f, x, false);
  f.push_back(compute(proj));
  if (tp) {
    f.push_back(comm(x.sp ? CollectiveKind::kReduceScatter : CollectiveKind::kAllReduce, act,
                     CommGroup::kTp));
  }
  f.push_back(compute(memory_op("bias_dropout_add1", bias_dropout_add)));
  f.push_back(compute(memory_op("norm2", norm)));
  if (moe_ffn) {
    moe_ffn_block(f, m, s, x, traffic, false);
  } else {
    if (tp && x.sp) f.push_back(comm(CollectiveKind::kAllGather, act, CommGroup::kTp));
    f.push_back(compute(fc1));
    f.push_back(compute(memory_op("activation", activation)));
    f.push_back(compute(fc2));
    if (tp) {
      f.push_back(comm(x.sp ? CollectiveKind::kReduceScatter : CollectiveKind::kAllReduce, act,
                       CommGroup::kTp));
    }
  }
  f.push_back(compute(memory_op("bias_dropout_add2", bias_dropout_add)));

  // Backward, in reverse. Element-wise backward passes read the saved input and the incoming
  // gradient and write the outgoing gradient: about twice the forward bytes.
  auto& g = prog.backward;
  g.push_back(compute(memory_op("bias_dropout_add2_bwd", 2.0 * bias_dropout_add)));
  if (moe_ffn) {
    moe_ffn_block(g, m, s, x, traffic, true);
  } else {
    if (tp && x.sp) g.push_back(comm(CollectiveKind::kAllGather, act, CommGroup::kTp));
    linear_backward(g, "fc2_dgrad", "fc2_wgrad", fc2, x.e);
    g.push_back(compute(memory_op("activation_bwd", 2.0 * activation)));
    if (tp && x.sp) g.push_back(comm(CollectiveKind::kAllGather, act, CommGroup::kTp));
    linear_backward(g, "fc1_dgrad", "fc1_wgrad", fc1, x.e);
    if (tp) {
      g.push_back(comm(x.sp ? CollectiveKind::kReduceScatter : CollectiveKind::kAllReduce, act,
                       CommGroup::kTp));
    }
  }
  g.push_back(compute(memory_op("norm2_bwd", 2.0 * norm)));
  g.push_back(compute(memory_op("bias_dropout_add1_bwd", 2.0 * bias_dropout_add)));
  if (tp && x.sp) g.push_back(comm(CollectiveKind::kAllGather, act, CommGroup::kTp));
  linear_backward(g, "attn_out_dgrad", "attn_out_wgrad", proj, x.e);
  attention_core(g, x, true);
  if (cp) g.push_back(comm(CollectiveKind::kReduceScatter, kv_bytes * s.cp, CommGroup::kCp));
  if (tp && x.sp) g.push_back(comm(CollectiveKind::kAllGather, act, CommGroup::kTp));
  linear_backward(g, "qkv_dgrad", "qkv_wgrad", qkv, x.e);
  if (tp) {
    g.push_back(comm(x.sp ? CollectiveKind::kReduceScatter : CollectiveKind::kAllReduce, act,
                     CommGroup::kTp));
  }
  g.push_back(compute(memory_op("norm1_bwd", 2.0 * norm)));

  switch (s.recompute) {
    case Recompute::kNone: break;
    case Recompute::kFull:
    case Recompute::kSelectiveLayer: prog.recompute = prog.forward; break;
    case Recompute::kSelectiveOp:
    case Recompute::kSelective:
      // Fused attention never stores the scores: its backward already recomputes them, so
      // selective recomputation adds nothing.
      if (!x.flash) attention_core(prog.recompute, x, false);
      break;
  }
  return prog;
}

LayerProgram embedding_layer(const TransformerConfig& m, const Strategy& s, Precision p) {
  const Shape x = shape_of(m, s, p);
  const double act = x.e * x.tokens * x.h;
  LayerProgram prog;
  // Vocabulary-parallel lookup: each TP rank gathers its rows, then the partial embeddings
  // are summed (all-reduce, or reduce-scatter under sequence parallelism).
  prog.forward.push_back(compute(memory_op("embedding_lookup", 2.0 * act)));
  if (s.tp > 1) {
    prog.forward.push_back(comm(x.sp ? CollectiveKind::kReduceScatter : CollectiveKind::kAllReduce,
                                act, CommGroup::kTp));
  }
  prog.forward.push_back(compute(memory_op("embedding_dropout", 2.0 * act / (x.sp ? x.tp : 1))));
  // Backward scatter-adds token gradients into the local vocabulary rows.
  if (s.tp > 1 && x.sp) {
    prog.backward.push_back(comm(CollectiveKind::kAllGather, act, CommGroup::kTp));
  }
  prog.backward.push_back(compute(memory_op("embedding_grad", 3.0 * act)));
  return prog;
}

LayerProgram output_layer(const TransformerConfig& m, const Strategy& s, Precision p) {
  const Shape x = shape_of(m, s, p);
  const double act = x.e * x.tokens * x.h;
  const double vocab_local = static_cast<double>(m.vocab) / s.tp;
  const Op logits = gemm("logits", x.tokens, vocab_local, x.h, 1, x.e);
  // Vocabulary-parallel cross entropy upcasts the logits to fp32: read 16-bit logits, write
  // fp32 softmax, plus three small all-reduces of per-token statistics.
  const double ce_bytes = x.tokens * vocab_local * (x.e + 4.0);
  LayerProgram prog;
  prog.forward.push_back(compute(memory_op("final_norm", 2.0 * act / (x.sp ? x.tp : 1))));
  if (s.tp > 1 && x.sp) prog.forward.push_back(comm(CollectiveKind::kAllGather, act, CommGroup::kTp));
  prog.forward.push_back(compute(logits));
  prog.forward.push_back(compute(memory_op("cross_entropy", ce_bytes)));
  if (s.tp > 1) {
    prog.forward.push_back(comm(CollectiveKind::kAllReduce, 3.0 * 4.0 * x.tokens, CommGroup::kTp));
  }
  prog.backward.push_back(compute(memory_op("cross_entropy_bwd", ce_bytes)));
  linear_backward(prog.backward, "logits_dgrad", "logits_wgrad", logits, x.e);
  if (s.tp > 1) {
    prog.backward.push_back(comm(x.sp ? CollectiveKind::kReduceScatter : CollectiveKind::kAllReduce,
                                 act, CommGroup::kTp));
  }
  prog.backward.push_back(compute(memory_op("final_norm_bwd", 4.0 * act / (x.sp ? x.tp : 1))));
  return prog;
}

}  // namespace cirrus::models
