#include "models/serving/iteration_time.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "models/compute/efficiency.hpp"
#include "models/hardware/precision.hpp"
#include "models/serving/kv_cache.hpp"
#include "models/step/step_costs.hpp"
#include "models/step/step_input.hpp"
#include "models/systems/offload_inference.hpp"

namespace cirrus::models {

IterationModel::IterationModel(IterationSetup setup)
    : setup_(std::move(setup)),
      compute_(setup_.node.gpu, setup_.numerics.fp8_gemms ? Precision::kFp8 : setup_.numerics.dtype,
               setup_.profile.get()),
      token_memo_(static_cast<std::size_t>(std::max(0, setup_.max_tokens)) + 1, -1.0),
      logits_memo_(static_cast<std::size_t>(std::max(0, setup_.max_seqs)) + 1, -1.0) {
  for (int layer = 0; layer < setup_.model.layers; ++layer) {
    if (setup_.model.is_moe_layer(layer)) ++moe_layers_;
  }
  // A part that only reads: its bytes at the compute model's memory roofline.
  const double probe = 1e12;
  byte_seconds_ = (compute_.seconds(flash_attention("attention_bytes", 0, probe)) -
                   defaults::kKernelGapSeconds) /
                  probe;
}

double IterationModel::curve_part_seconds(double flops, double bytes, std::int64_t seq,
                                          bool causal) {
  seq = std::max<std::int64_t>(1, seq);
  const auto slot = static_cast<std::size_t>(seq);
  std::vector<double>& memo = flop_memo_[causal ? 1 : 0];
  if (slot >= memo.size()) memo.resize(slot + 1, -1.0);
  if (memo[slot] < 0) {
    // The curve's rate at this length: a compute-only part of the same shape. batch 0 keeps a
    // profile's self-attention measurements out (see the header).
    const TransformerConfig& m = setup_.model;
    const double probe = 1e12;
    Op op = flash_attention("attention_flops", probe, 0);
    op.attention.heads = heads_per_gpu(m, setup_.tp);
    op.attention.seq = static_cast<double>(seq);
    op.attention.head_dim = static_cast<double>(m.head_dim());
    op.attention.causal = causal;
    memo[slot] = (compute_.seconds(op) - defaults::kKernelGapSeconds) / probe;
  }
  return std::max(flops * memo[slot], bytes * byte_seconds_);
}

double IterationModel::all_reduce_seconds(std::int64_t tokens) const {
  if (setup_.tp <= 1 || tokens <= 0) return 0;
  // The training step's collective model for a tensor-parallel group inside one node: NCCL's
  // tuner (NVLS where the node has it) or the profile's measured bus bandwidth.
  StepInput in;
  in.cluster.node = setup_.node;
  in.profile = setup_.profile;
  const double bytes = static_cast<double>(tokens) * static_cast<double>(setup_.model.hidden) *
                       setup_.numerics.activation_bytes;
  return step_collective_cost(in, CollectiveKind::kAllReduce, bytes, setup_.tp, setup_.tp).seconds;
}

double IterationModel::stage_send_seconds(std::int64_t tokens) const {
  if (setup_.pp <= 1 || tokens <= 0) return 0;
  StepInput in;
  in.cluster.node = setup_.node;
  in.profile = setup_.profile;
  const double bytes = 2.0 * static_cast<double>(tokens) *
                       static_cast<double>(setup_.model.hidden) * setup_.numerics.activation_bytes;
  const bool one_node = setup_.tp * setup_.pp <= setup_.node.gpus;
  return step_collective_cost(in, CollectiveKind::kSendRecv, bytes, 2, one_node ? 2 : 1).seconds;
}

double IterationModel::layer_seconds(std::int64_t tokens, bool moe) const {
  const TransformerConfig& m = setup_.model;
  const ComputeModel& cm = compute_;
  const ServingNumerics& num = setup_.numerics;
  const double e = num.activation_bytes;
  const double w = num.linear_weight_bytes;
  const double t = static_cast<double>(tokens);
  const double h = static_cast<double>(m.hidden);
  const double q_local = static_cast<double>(heads_per_gpu(m, setup_.tp)) * m.head_dim();
  const double kv_local = static_cast<double>(kv_heads_per_gpu(m, setup_.tp)) * m.head_dim();
  double s = 0;
  s += cm.seconds(memory_op("norm1", 2.0 * e * t * h));
  s += cm.seconds(weight_gemm("qkv", t, q_local + 2.0 * kv_local, h, 1, e, w, num.fp8_gemms));
  if (m.rotary) s += cm.seconds(memory_op("rotary", 2.0 * e * t * (q_local + kv_local)));
  s += cm.seconds(weight_gemm("attn_out", t, h, q_local, 1, e, w, num.fp8_gemms));
  s += cm.seconds(memory_op("norm2_residual", 4.0 * e * t * h));
  const int ep = setup_.expert_parallel ? setup_.tp : 1;
  s += inference_ffn_cost(m, cm, moe, t, setup_.tp, e, w, num.fp8_gemms, ep).seconds;
  return s + 2.0 * all_reduce_seconds(tokens);
}

double IterationModel::token_seconds(std::int64_t tokens) {
  if (tokens <= 0) return 0;
  const auto slot = static_cast<std::size_t>(tokens);
  if (slot < token_memo_.size() && token_memo_[slot] >= 0) return token_memo_[slot];
  const TransformerConfig& m = setup_.model;
  const double e = setup_.numerics.activation_bytes;
  double s = compute_.seconds(memory_op(
      "embedding", 2.0 * e * static_cast<double>(tokens) * static_cast<double>(m.hidden)));
  const int dense = m.layers - moe_layers_;
  if (dense > 0) s += dense * layer_seconds(tokens, false);
  if (moe_layers_ > 0) s += moe_layers_ * layer_seconds(tokens, true);
  s += (setup_.pp - 1) * stage_send_seconds(tokens);
  if (slot < token_memo_.size()) token_memo_[slot] = s;
  return s;
}

double IterationModel::logits_seconds(std::int32_t seqs) {
  if (seqs <= 0) return 0;
  const auto slot = static_cast<std::size_t>(seqs);
  if (slot < logits_memo_.size() && logits_memo_[slot] >= 0) return logits_memo_[slot];
  const TransformerConfig& m = setup_.model;
  const double e = setup_.numerics.activation_bytes;
  const double n = seqs;
  const double h = static_cast<double>(m.hidden);
  const double vocab = static_cast<double>(m.vocab);
  double s = compute_.seconds(memory_op("final_norm", 2.0 * e * n * h));
  s += compute_.seconds(gemm("logits", n, vocab / setup_.tp, h, 1, e));
  if (setup_.tp > 1) {
    // vLLM gathers the vocabulary shards of the logits (tensor_model_parallel_gather).
    StepInput in;
    in.cluster.node = setup_.node;
    in.profile = setup_.profile;
    s += step_collective_cost(in, CollectiveKind::kAllGather, e * n * vocab, setup_.tp, setup_.tp)
             .seconds;
  }
  if (slot < logits_memo_.size()) logits_memo_[slot] = s;
  return s;
}

double IterationModel::attention_seconds(const BatchWork& work) {
  const TransformerConfig& m = setup_.model;
  const double e = setup_.numerics.activation_bytes;  // queries
  const double kv = setup_.numerics.kv_bytes;         // cached keys and values
  const double heads = heads_per_gpu(m, setup_.tp);
  const double d = static_cast<double>(m.head_dim());
  const double q_local = heads * d;
  const double kv_local = static_cast<double>(kv_heads_per_gpu(m, setup_.tp)) * d;
  // Each part is timed as if it were its own kernel; the layer's one kernel pays one gap.
  const double gap = defaults::kKernelGapSeconds;
  double s = 0;
  if (work.single > 0) {
    const double n = work.single;
    const double keys = static_cast<double>(work.single_cached) + n;  // each sees itself too
    s +=
        curve_part_seconds(4.0 * q_local * keys, 2.0 * kv * kv_local * keys + 2.0 * e * q_local * n,
                           std::llround(keys / n), false);
  }
  for (const BatchWork::Chunk& c : work.chunks) {
    const double q = static_cast<double>(c.tokens);
    const double cached = static_cast<double>(c.cached);
    if (c.cached == 0) {
      // Causal self-attention over the chunk: the shape a profile measures.
      const double flops = attention_flops(AttentionPass::kForward, true, 1, heads, q, d);
      Op op = flash_attention("prefill_attention", flops,
                              2.0 * kv * kv_local * q + 2.0 * e * q_local * q);
      op.attention.batch = 1;
      op.attention.heads = heads;
      op.attention.seq = q;
      op.attention.head_dim = d;
      op.attention.causal = true;
      op.attention.fa_flops = flops;
      s += compute_.seconds(op) - gap;
    } else {
      const double keys = q * cached + q * (q + 1.0) / 2.0;
      s += curve_part_seconds(4.0 * q_local * keys,
                              2.0 * kv * kv_local * (cached + q) + 2.0 * e * q_local * q,
                              c.cached + c.tokens, true);
    }
  }
  const bool any = work.single > 0 || !work.chunks.empty();
  return any ? m.layers * (s + gap) : 0.0;
}

double IterationModel::seconds(const BatchWork& work) {
  return token_seconds(work.tokens) + logits_seconds(work.seqs) + attention_seconds(work);
}

}  // namespace cirrus::models
