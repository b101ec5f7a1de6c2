// Per-GPU memory model. Sources: the ZeRO paper (Rajbhandari et al. 2020, arXiv:1910.02054) for
// mixed-precision model states; Korthikanti et al. 2022 (arXiv:2205.05198, "Reducing Activation
// Recomputation in Large Transformer Models") for activations; Megatron-LM's pipeline schedules
// (megatron/core/pipeline_parallel/schedules.py) for the in-flight micro-batches.
#include "models/memory.hpp"

#include "models/offload_memory.hpp"
#include "models/precision.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace cirrus::models {

namespace {

void check_strategy(const Strategy& s) {
  if (s.tp < 1 || s.pp < 1 || s.dp < 1 || s.cp < 1 || s.ep < 1 || s.micro_batch < 1 ||
      s.virtual_stages < 1) {
    throw std::invalid_argument("memory model: parallel sizes and micro_batch must be >= 1");
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

// ---- Bytes per element. ----

// Activations: 16-bit except in fp32 training (fp8 training keeps bf16 activations between
// layers, as Transformer Engine does).
double activation_element_bytes(Precision p) { return p == Precision::kFp32 ? 4.0 : 2.0; }

// ---- Model states: bytes per parameter. ----

// Weights are kept in 16 bits for fp16, bf16 and fp8 training (fp8 GEMMs cast bf16 weights on
// the fly, as Transformer Engine does; its transient fp8 weight copies are not counted).
double weight_bytes_per_param(Precision p) { return p == Precision::kFp32 ? 4.0 : 2.0; }

// Gradients as accumulated and reduced: models/precision.hpp decides (fp32 main grads for bf16
// as Megatron-LM forces, 16-bit for fp16), so memory and communication volumes agree.
double grad_bytes_per_param(Precision p) { return grad_bytes(p); }

// Optimizer states (ZeRO paper, "K"): mixed-precision Adam keeps an fp32 master copy plus the
// fp32 momentum and variance, K = 12; fp32 Adam needs only m and v (the weights are already
// fp32), 8. SGD with momentum: master + momentum 8 in mixed precision, momentum alone 4 in fp32.
double optimizer_bytes_per_param(Precision p, Optimizer o) {
  const bool fp32 = p == Precision::kFp32;
  if (o == Optimizer::kAdam) return fp32 ? 8.0 : 12.0;
  return fp32 ? 4.0 : 8.0;
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

// Activations of one transformer layer for one micro-batch, following Korthikanti et al. 2022,
// Sec. 4.1, in bytes, with s the sequence on this GPU, b the micro-batch, h the hidden size, a
// the heads, t = tp, 16-bit activations and 1-byte dropout masks:
//   attention block: LayerNorm input 2sbh; QKV GEMM input 2sbh; Q and K (inputs of Q K^T) 4sbh;
//                    softmax output 2as^2b, its dropout mask as^2b, dropout output 2as^2b;
//                    V 2sbh; output-projection input 2sbh; hidden dropout mask sbh
//                    = 11sbh + 5as^2b   (with the LayerNorm counted separately below: 9 + 2)
//   MLP block:       LayerNorm input 2sbh; first GEMM input 2sbh; GeLU input 8sbh (f = 4h);
//                    second GEMM input 8sbh; dropout mask sbh  = 19sbh (+ 2 LayerNorm)
//   two LayerNorms:  4sbh;  total sbh (34 + 5as/h).
// Under tensor parallelism the parts before the column-parallel GEMMs and after the
// row-parallel ones (LayerNorm inputs 4, QKV and MLP GEMM inputs 2 + 2, dropout masks 1 + 1 =
// 10sbh) are replicated on every tp rank unless sequence parallelism shards them; the rest
// (Q, K, V, projection input, the FFN's wide tensors = 24sbh, and the scores) is split over t:
//   no SP: sbh (10 + 24/t + 5as/(ht));   SP: sbh/t (34 + 5as/h).
// Generalised honestly from that derivation:
//   - grouped-query attention: K and V are s b kv_dim wide, so Q K^T inputs 2sbh + 2sb kv_dim
//     and V 2sb kv_dim;
//   - the FFN's wide tensors are 2sbf each and there are ffn_matrices() of them (GeLU: GeLU
//     input and second GEMM input, 2 x 2sbf = 16sbh at f = 4h; SwiGLU: gate and up outputs,
//     from which the fused activation is recomputed in backward, and the down GEMM input,
//     3 x 2sbf);
//   - MoE layers: each token reaches top_k experts, the most loaded rank getting
//     routing_load().straggler of its fair share (after the capacity limit when tokens are
//     dropped); dispatched expert inputs 2sbh and wide tensors 2sbf_e per routed copy, plus
//     the router's fp32 logits 4sbE, plus the shared experts' wide tensors;
//   - the dropout masks are kept as in the paper even for models trained without dropout
//     (Llama): 2sbh per layer, conservative;
//   - selective recomputation drops the 5as^2b term (scores, mask and dropout output are
//     recomputed from Q, K, V, which stay);
//   - FlashAttention (Strategy::attention == kFlash) never stores the scores: it keeps only the
//     fp32 softmax log-sum-exp per head and query, 4asb (split over t); selective
//     recomputation drops that too;
//   - context parallelism: each GPU keeps its s / cp queries; unfused scores of a local query
//     chunk span the whole sequence, 5a (s/cp) s b;
//   - full recomputation keeps only the layer input, 2sbh (/t with SP);
//   - fp32 training stores 4-byte activations where the paper has 2-byte ones.
double layer_activation_bytes(const TransformerConfig& m, const Strategy& s, int layer,
                              Precision precision) {
  check_strategy(s);
  const double s_full = static_cast<double>(m.seq_len);
  const double seq = s_full / s.cp;
  const double b = s.micro_batch;
  const double h = static_cast<double>(m.hidden);
  const double a = m.heads;
  const double t = s.tp;
  const double kv = static_cast<double>(m.kv_dim());
  // Bytes of one activation element: the paper's "2" (16-bit); fp32 training stores 4. Dropout
  // masks stay 1 byte and the softmax statistics and logits fp32 either way.
  const double e = activation_element_bytes(precision);
  constexpr double kMask = 1.0;
  // Sequence parallelism shards the otherwise replicated parts over the tp ranks.
  const double replicated_share = s.sequence_parallel ? 1.0 / t : 1.0;
  const double sbh = seq * b * h;

  if (s.recompute == Recompute::kFull) return e * sbh * replicated_share;

  // Attention block: LayerNorm input and QKV GEMM input (e each) and the hidden dropout mask
  // are replicated; Q, K, V and the output-projection input are split.
  double replicated = (2.0 * e + kMask) * sbh;
  double split = e * seq * b * (h + 2.0 * kv + h);

  // MLP block: LayerNorm input, the first GEMM's (or the router's) input, the dropout mask.
  replicated += (2.0 * e + kMask) * sbh;
  const double n_wide = m.ffn_matrices();
  if (m.is_moe_layer(layer)) {
    // The straggler rank (the most loaded: moe.hpp) keeps the copies it processed, after the
    // capacity limit when tokens are dropped.
    const double routed = m.moe->top_k * routing_load(*m.moe, s.ep).straggler;
    const double fe = static_cast<double>(m.expert_ffn_hidden());
    replicated += 4.0 * seq * b * m.moe->experts;  // router logits, fp32
    replicated += routed * e * sbh;                // dispatched expert inputs
    split += routed * n_wide * e * seq * b * fe;   // experts' wide tensors
    // Shared experts: a dense FFN of width shared x f_e on every token.
    split += m.moe->shared_experts * n_wide * e * seq * b * fe;
  } else {
    split += n_wide * e * seq * b * static_cast<double>(m.ffn_hidden);
  }

  double attention_core = 0;
  if (s.recompute == Recompute::kNone) {
    // Unfused: softmax output, its dropout mask and the dropout output (5as^2b at 16 bits).
    attention_core = fused(s.attention)
                         ? 4.0 * a * seq * b
                         : (2.0 * e + kMask) * a * seq * s_full * b;
  }
  return replicated * replicated_share + (split + attention_core) / t;
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
        // pp (1 + (pp - 1)/(pp v)) micro-batches, Korthikanti et al.'s factor.
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

MemoryEstimate estimate_memory(const TransformerConfig& m, const Training& t, const Strategy& s,
                               int stage) {
  check_stage(s, stage);
  const bool first = stage == 0;
  const bool last = stage == s.pp - 1;
  const double h = static_cast<double>(m.hidden);
  const double v = static_cast<double>(m.vocab);
  const std::vector<int> layers = stage_layers(m, s, stage);

  // ---- Parameters held by this GPU. ----
  double dense = 0;
  double expert = 0;
  double largest_layer = 0;  // for ZeRO-3's gathered-weights buffer
  // Layers differ only in being MoE or dense: each kind is priced once (the sums below still
  // add every layer, in order).
  const LayerShare kind_share[2] = {layer_share(m, s, dense_layer(m)),
                                    layer_share(m, s, moe_layer(m))};
  for (int layer : layers) {
    const LayerShare& share = kind_share[m.is_moe_layer(layer) ? 1 : 0];
    dense += share.dense;
    expert += share.expert;
    largest_layer = std::max(largest_layer, share.dense + share.expert);
  }
  // Vocabulary-parallel embeddings are split over tp. The input embedding lives on the first
  // stage, the output projection on the last; tied weights are one tensor when both are on one
  // stage, and a copy on each end (kept in sync by an all-reduce) when pp > 1, as in Megatron.
  const double embedding = v * h / s.tp;
  if (first) dense += embedding;
  if (last && !(m.tied_embeddings && s.pp == 1)) dense += embedding;
  if (last) dense += 2.0 * h;  // final norm, replicated

  // ZeRO shards over the data-parallel group, which in Megatron-LM includes the context-
  // parallel ranks (they hold the same weights); expert weights over the expert-data-parallel
  // group of dp x cp / ep ranks.
  const double dense_shard = static_cast<double>(s.dp) * s.cp;
  const double expert_shard = std::max(1.0, dense_shard / s.ep);
  auto sharded = [&](int from_stage) {
    return s.zero >= from_stage ? dense / dense_shard + expert / expert_shard : dense + expert;
  };

  MemoryEstimate e;
  e.params = weight_bytes_per_param(t.precision) * sharded(3);
  e.grads = grad_bytes_per_param(t.precision) * sharded(2);
  e.optimizer = optimizer_bytes_per_param(t.precision, t.optimizer) * sharded(1);

  // ---- Activations. ----
  double per_microbatch = 0;
  const double kind_activations[2] = {
      layer_activation_bytes(m, s, dense_layer(m), t.precision),
      layer_activation_bytes(m, s, moe_layer(m), t.precision)};
  for (int layer : layers) per_microbatch += kind_activations[m.is_moe_layer(layer) ? 1 : 0];
  e.activations = per_microbatch * in_flight_microbatches(t, s, stage);

  const double seq = static_cast<double>(m.seq_len) / s.cp;
  const double b = s.micro_batch;
  const double replicated_share = s.sequence_parallel ? 1.0 / s.tp : 1.0;
  if (first) {
    // Embedding dropout mask, 1 byte per element (Korthikanti et al. Sec. 4.3); the embedding
    // output itself is the first layer's LayerNorm input, counted with that layer.
    e.activations += seq * b * h * replicated_share * in_flight_microbatches(t, s, 0);
  }
  if (last) {
    // Final LayerNorm input 2sbh and output-projection input 2sbh, plus the logits kept in fp32
    // for the vocabulary-parallel cross-entropy, 4sbV/t (Korthikanti et al. Sec. 4.3). The last
    // stage runs each micro-batch's backward right after its forward under 1F1B and
    // interleaving (one in flight); GPipe keeps all m.
    const double in_flight =
        s.schedule == Schedule::kGpipe ? static_cast<double>(microbatches_per_step(t, s)) : 1.0;
    const double final_inputs = 2.0 * activation_element_bytes(t.precision) * seq * b * h;
    e.activations += in_flight * (final_inputs * replicated_share + 4.0 * seq * b * v / s.tp);
  }

  // ---- Buffers. ----
  // An allowance, not a measurement: 1 GiB for the CUDA context, cuBLAS and NCCL workspaces and
  // allocator fragmentation. ZeRO-3 also gathers each layer's full (tp-sharded) weights before
  // use and prefetches the next: two of the largest layer, in the weight precision.
  e.buffers = kRuntimeReserveBytes;
  if (s.zero >= 3) e.buffers += 2.0 * largest_layer * weight_bytes_per_param(t.precision);

  // Hierarchical storage moves parameters / optimizer states off the GPU (offload_memory.hpp).
  if (s.offload.any()) apply_offload(m, t, s, stage, dense, expert, e);

  e.total = e.params + e.grads + e.optimizer + e.activations + e.buffers;
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
