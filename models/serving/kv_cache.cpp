#include "models/serving/kv_cache.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include "models/workload/memory.hpp"

namespace cirrus::models {

int heads_per_gpu(const TransformerConfig& m, int tp) { return m.heads / tp; }

int kv_heads_per_gpu(const TransformerConfig& m, int tp) {
  const int kv = m.kv_heads > 0 ? m.kv_heads : m.heads;
  return std::max(1, kv / tp);
}

namespace {

// Weights of one GPU of a stage holding layers [first, last), with the embedding (first stage)
// and the final norm and output layer (last stage) where it has them.
double stage_weight_bytes(const TransformerConfig& m, const ServingNumerics& num, int tp, int first,
                          int last, bool embedding, bool head) {
  const double h = static_cast<double>(m.hidden);
  const double t = tp;
  const double kv_local = static_cast<double>(kv_heads_per_gpu(m, tp)) * m.head_dim();
  const double mats = m.ffn_matrices();
  // Per layer: Q and O sharded, K and V at kv_local each, the two norms (2h each, as
  // TransformerConfig counts them) replicated.
  // Linear layers (quantizable) and the rest (16-bit) are counted apart.
  const double attention = 2.0 * h * h / t + 2.0 * h * kv_local;
  double linear = 0, other = 0;
  for (int layer = first; layer < last; ++layer) {
    linear += attention;
    other += 4.0 * h;
    if (m.is_moe_layer(layer)) {
      const double f = static_cast<double>(m.expert_ffn_hidden());
      const double experts = m.moe->experts + std::max(0, m.moe->shared_experts);
      linear += experts * mats * h * f / t;
      other += h * m.moe->experts;
    } else {
      linear += mats * h * static_cast<double>(m.ffn_hidden) / t;
    }
  }
  const double v = static_cast<double>(m.vocab);
  if (embedding && head) {
    other += v * h * (m.tied_embeddings ? 1.0 : 2.0) / t + 2.0 * h;
  } else {
    // Apart, the output layer is its own copy even when the embedding is tied.
    if (embedding) other += v * h / t;
    if (head) other += v * h / t + 2.0 * h;
  }
  return linear * num.linear_weight_bytes + other * param_bytes(num.dtype);
}

// Calls f(layers, weight bytes per GPU) for each of pp stages in order.
template <typename F>
void for_each_stage(const TransformerConfig& m, const ServingNumerics& num, int tp, int pp, F f) {
  const std::vector<int> stages = stage_layers(m.layers, pp);
  int first = 0;
  for (std::size_t i = 0; i < stages.size(); ++i) {
    const int last = first + stages[i];
    f(stages[i], stage_weight_bytes(m, num, tp, first, last, i == 0, i + 1 == stages.size()));
    first = last;
  }
}

}  // namespace

std::vector<int> stage_layers(int layers, int pp) {
  pp = std::max(1, pp);
  std::vector<int> out(static_cast<std::size_t>(pp), layers / pp);
  // vLLM: the remainder, one layer each, on the stages before the last, nearest it first.
  for (int i = 2; i < layers % pp + 2; ++i) ++out[out.size() - static_cast<std::size_t>(i)];
  return out;
}

double weight_bytes_per_gpu(const TransformerConfig& m, const ServingNumerics& num, int tp,
                            int pp) {
  double heaviest = 0;
  for_each_stage(m, num, tp, pp, [&](int, double w) { heaviest = std::max(heaviest, w); });
  return heaviest;
}

double activation_peak_bytes(const TransformerConfig& m, const ServingNumerics& num, int tp,
                             const SchedulerConfig& s) {
  const double e = num.activation_bytes;
  const double tokens = s.max_num_batched_tokens;
  const double h = static_cast<double>(m.hidden);
  const double q_local = static_cast<double>(heads_per_gpu(m, tp)) * m.head_dim();
  const double kv_local = static_cast<double>(kv_heads_per_gpu(m, tp)) * m.head_dim();
  double f = static_cast<double>(m.ffn_hidden);
  if (m.moe) f = std::max(f, static_cast<double>(m.expert_ffn_hidden()) * m.moe->top_k);
  const double mats = m.ffn_matrices();
  const double qkv = q_local + 2.0 * kv_local;
  const double ffn = (mats - 1.0) * f / tp + f / tp;
  const double layer = e * tokens * (2.0 * h + std::max(qkv, ffn));
  const double logits = 4.0 * s.max_num_seqs * static_cast<double>(m.vocab);
  return std::max(layer, logits);
}

namespace {

KvCacheSize stage_kv_cache_size(const TransformerConfig& m, const GpuSpec& gpu,
                                const ServingNumerics& num, int tp, const SchedulerConfig& s,
                                double weight_bytes, int layers) {
  KvCacheSize k;
  k.block_size = s.block_size;
  k.weight_bytes = weight_bytes;
  k.activation_bytes = activation_peak_bytes(m, num, tp, s);
  k.runtime_bytes = kRuntimeReserveBytes;
  const double taken = k.weight_bytes + k.activation_bytes + k.runtime_bytes;
  if (s.kv_cache_free_fraction) {
    // TensorRT-LLM: a share of what is free once the rest is resident.
    k.usable_bytes = gpu.memory_bytes;
    k.kv_bytes = *s.kv_cache_free_fraction * (gpu.memory_bytes - taken);
  } else {
    k.usable_bytes = s.gpu_memory_utilization * gpu.memory_bytes;
    k.kv_bytes = k.usable_bytes - taken;
  }
  k.bytes_per_token = 2.0 * layers * static_cast<double>(kv_heads_per_gpu(m, tp)) *
                      static_cast<double>(m.head_dim()) * num.kv_bytes;
  if (k.kv_bytes > 0) {
    k.blocks =
        static_cast<std::int64_t>(std::floor(k.kv_bytes / (k.bytes_per_token * s.block_size)));
  }
  return k;
}

}  // namespace

KvCacheSize kv_cache_size(const TransformerConfig& m, const GpuSpec& gpu,
                          const ServingNumerics& num, int tp, const SchedulerConfig& s, int pp) {
  std::optional<KvCacheSize> tightest;
  for_each_stage(m, num, tp, pp, [&](int layers, double w) {
    const KvCacheSize k = stage_kv_cache_size(m, gpu, num, tp, s, w, layers);
    if (!tightest || k.blocks < tightest->blocks) tightest = k;
  });
  tightest->engines = std::max(1, pp);
  return *tightest;
}

}  // namespace cirrus::models
