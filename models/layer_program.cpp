#include "models/layer_program.hpp"

#include <algorithm>
#include <cmath>

#include "models/efficiency.hpp"
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
  x.flash = s.attention == AttentionKernel::kFlash;
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

}  // namespace

LayerProgram transformer_layer(const TransformerConfig& m, const Strategy& s, Precision p) {
  const Shape x = shape_of(m, s, p);
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
  if (tp && x.sp) f.push_back(comm(CollectiveKind::kAllGather, act, CommGroup::kTp));
  f.push_back(compute(fc1));
  f.push_back(compute(memory_op("activation", activation)));
  f.push_back(compute(fc2));
  if (tp) {
    f.push_back(comm(x.sp ? CollectiveKind::kReduceScatter : CollectiveKind::kAllReduce, act,
                     CommGroup::kTp));
  }
  f.push_back(compute(memory_op("bias_dropout_add2", bias_dropout_add)));

  // Backward, in reverse. Element-wise backward passes read the saved input and the incoming
  // gradient and write the outgoing gradient: about twice the forward bytes.
  auto& g = prog.backward;
  g.push_back(compute(memory_op("bias_dropout_add2_bwd", 2.0 * bias_dropout_add)));
  if (tp && x.sp) g.push_back(comm(CollectiveKind::kAllGather, act, CommGroup::kTp));
  linear_backward(g, "fc2_dgrad", "fc2_wgrad", fc2, x.e);
  g.push_back(compute(memory_op("activation_bwd", 2.0 * activation)));
  if (tp && x.sp) g.push_back(comm(CollectiveKind::kAllGather, act, CommGroup::kTp));
  linear_backward(g, "fc1_dgrad", "fc1_wgrad", fc1, x.e);
  if (tp) {
    g.push_back(comm(x.sp ? CollectiveKind::kReduceScatter : CollectiveKind::kAllReduce, act,
                     CommGroup::kTp));
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
    case Recompute::kFull: prog.recompute = prog.forward; break;
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
