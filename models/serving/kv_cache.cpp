#include "models/serving/kv_cache.hpp"

#include <algorithm>
#include <cmath>

#include "models/workload/memory.hpp"

namespace cirrus::models {

int heads_per_gpu(const TransformerConfig& m, int tp) { return m.heads / tp; }

int kv_heads_per_gpu(const TransformerConfig& m, int tp) {
  const int kv = m.kv_heads > 0 ? m.kv_heads : m.heads;
  return std::max(1, kv / tp);
}

double weight_bytes_per_gpu(const TransformerConfig& m, Precision p, int tp) {
  const double h = static_cast<double>(m.hidden);
  const double t = tp;
  const double kv_local = static_cast<double>(kv_heads_per_gpu(m, tp)) * m.head_dim();
  const double mats = m.ffn_matrices();
  // Per layer: Q and O sharded, K and V at kv_local each, the two norms (2h each, as
  // TransformerConfig counts them) replicated.
  const double attention = 2.0 * h * h / t + 2.0 * h * kv_local + 4.0 * h;
  double params = 0;
  for (int layer = 0; layer < m.layers; ++layer) {
    params += attention;
    if (m.is_moe_layer(layer)) {
      const double f = static_cast<double>(m.expert_ffn_hidden());
      const double experts = m.moe->experts + std::max(0, m.moe->shared_experts);
      params += experts * mats * h * f / t + h * m.moe->experts;
    } else {
      params += mats * h * static_cast<double>(m.ffn_hidden) / t;
    }
  }
  const double v = static_cast<double>(m.vocab);
  params += v * h * (m.tied_embeddings ? 1.0 : 2.0) / t + 2.0 * h;
  return params * param_bytes(p);
}

double activation_peak_bytes(const TransformerConfig& m, Precision p, int tp,
                             const SchedulerConfig& s) {
  const double e = activation_bytes(p);
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

KvCacheSize kv_cache_size(const TransformerConfig& m, const GpuSpec& gpu, Precision p, int tp,
                          const SchedulerConfig& s) {
  KvCacheSize k;
  k.block_size = s.block_size;
  k.usable_bytes = s.gpu_memory_utilization * gpu.memory_bytes;
  k.weight_bytes = weight_bytes_per_gpu(m, p, tp);
  k.activation_bytes = activation_peak_bytes(m, p, tp, s);
  k.runtime_bytes = kRuntimeReserveBytes;
  k.kv_bytes = k.usable_bytes - k.weight_bytes - k.activation_bytes - k.runtime_bytes;
  k.bytes_per_token = 2.0 * m.layers * static_cast<double>(kv_heads_per_gpu(m, tp)) *
                      static_cast<double>(m.head_dim()) * activation_bytes(p);
  if (k.kv_bytes > 0) {
    k.blocks =
        static_cast<std::int64_t>(std::floor(k.kv_bytes / (k.bytes_per_token * s.block_size)));
  }
  return k;
}

}  // namespace cirrus::models
