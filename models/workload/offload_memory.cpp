#include "models/workload/offload_memory.hpp"

#include <fmt/format.h>
#include <algorithm>

#include "common/units.hpp"
#include "models/hardware/precision.hpp"

namespace cirrus::models {
namespace {

// Mixed-precision Adam: fp32 master, momentum, variance (ZeRO paper's K = 12); fp32 Adam 8;
// SGD with momentum 8 / 4 (same accounting as memory.cpp).
double optimizer_bytes(Precision p, Optimizer o) {
  const bool fp32 = p == Precision::kFp32;
  if (o == Optimizer::kAdam) return fp32 ? 8.0 : 12.0;
  return fp32 ? 4.0 : 8.0;
}

}  // namespace

void apply_offload(const TransformerConfig& m, const Training& t, const Strategy& s, int stage,
                   double dense, double expert, MemoryEstimate& e) {
  const Offload& o = s.offload;
  const double dp = static_cast<double>(s.dp) * s.cp;
  const double expert_dp = std::max(1.0, dp / s.ep);
  auto sharded = [&](int from_zero) {
    return s.zero >= from_zero ? dense / dp + expert / expert_dp : dense + expert;
  };
  double host = 0, nvme = 0;
  auto place = [&](Tier tier, double bytes) {
    if (tier == Tier::kHost) host += bytes;
    if (tier == Tier::kNvme) nvme += bytes;
  };
  if (o.params_offloaded()) {
    double layer_params = 0, largest = 0;
    for (int layer : stage_layers(m, s, stage)) {
      const LayerShare sh = layer_share(m, s, layer);
      layer_params += sh.dense + sh.expert;
      largest = std::max(largest, sh.dense + sh.expert);
    }
    const double resident = std::max(0.0, dense + expert - layer_params);  // embeddings, head
    const double ring = static_cast<double>(o.prefetch_layers + 1) * largest;
    const double shard = s.zero >= 3 ? dp : 1.0;
    e.params = param_bytes(t.precision) * (resident / shard + ring);
    // Gradients leave layer by layer after each backward (accumulated on the host).
    e.grads = grad_bytes(t.precision) * (resident / shard + ring);
    place(o.params, param_bytes(t.precision) * layer_params / shard);
  }
  if (o.optimizer_offloaded()) {
    e.optimizer = 0;
    place(o.optimizer, optimizer_bytes(t.precision, t.optimizer) * sharded(1));
    // The optimizer reads fp32 gradients where it runs: host memory (NVMe-resident states are
    // staged through the host, their gradients stay in host memory).
    host += 4.0 * sharded(1);
  }
  e.host = host;
  e.nvme = nvme;
}

}  // namespace cirrus::models
