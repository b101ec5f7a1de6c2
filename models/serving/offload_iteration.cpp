#include "models/serving/offload_iteration.hpp"

#include <algorithm>
#include <cmath>

namespace cirrus::models {
namespace {

void add_part(PassCost& sum, const PassCost& part) {
  if (sum.compute_s.empty()) sum.compute_s.assign(part.compute_s.size(), 0.0);
  for (std::size_t i = 0; i < part.compute_s.size(); ++i) sum.compute_s[i] += part.compute_s[i];
  sum.head_s += part.head_s;
}

}  // namespace

OffloadIteration::OffloadIteration(const TransformerConfig& model, const ComputeModel& compute,
                                   Precision precision, OffloadRing ring)
    : model_(model), compute_(compute), precision_(precision), ring_(ring) {}

PassCost OffloadIteration::pass(const BatchWork& work) const {
  PassCost c;
  if (work.single > 0) {
    const double context = static_cast<double>(work.single_cached) / work.single;
    add_part(c, pass_cost(model_, compute_, precision_, work.single, 1.0, context));
  }
  for (const BatchWork::Chunk& k : work.chunks) {
    add_part(c, pass_cost(model_, compute_, precision_, 1, static_cast<double>(k.tokens),
                          static_cast<double>(k.cached)));
  }
  // The weights each layer needs for all the iteration's tokens, loaded once.
  c.weight_bytes = pass_cost(model_, compute_, precision_, 1,
                             static_cast<double>(std::max<std::int64_t>(work.tokens, 1)), 0.0)
                       .weight_bytes;
  if (c.compute_s.empty()) c.compute_s.assign(c.weight_bytes.size(), 0.0);
  return c;
}

double OffloadIteration::seconds(const BatchWork& work) {
  return ring_pass_seconds(pass(work), ring_.pcie_bytes_per_s, ring_.slots);
}

KvCacheSize offload_kv_cache_size(const TransformerConfig& m, const GpuSpec& gpu,
                                  const ServingNumerics& num, int slots, const SchedulerConfig& s) {
  KvCacheSize k = kv_cache_size(m, gpu, num, 1, s);
  double largest = 0;
  for (int l = 0; l < m.layers; ++l) {
    largest = std::max(largest, layer_weight_bytes(m, l, num.dtype));
  }
  k.weight_bytes = resident_weight_bytes(m, num.dtype) + slots * largest;
  const double taken = k.weight_bytes + k.activation_bytes + k.runtime_bytes;
  k.kv_bytes = s.kv_cache_free_fraction ? *s.kv_cache_free_fraction * (gpu.memory_bytes - taken)
                                        : k.usable_bytes - taken;
  k.blocks =
      k.kv_bytes > 0
          ? static_cast<std::int64_t>(std::floor(k.kv_bytes / (k.bytes_per_token * s.block_size)))
          : 0;
  return k;
}

}  // namespace cirrus::models
