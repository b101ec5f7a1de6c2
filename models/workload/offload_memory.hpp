#pragma once
// GPU, host and NVMe bytes of one GPU's model states under hierarchical storage
// (strategy.offload). Offloaded parameters leave a ring of prefetch_layers + 1 layer buffers on
// the GPU (the embedding and output layers stay resident); offloaded optimizer states leave
// nothing on the GPU, and the gradients they consume are kept beside them (fp32 on the host, as
// ZeRO-Offload does). The offloaded bytes count against the node's host memory or NVMe
// (models/step/offload_capacity.hpp checks them).
#include "models/workload/memory.hpp"

namespace cirrus::models {

// Rewrites e.params / e.grads / e.optimizer for `stage` and fills e.host / e.nvme. `dense` and
// `expert` are the stage's parameter counts per GPU before ZeRO sharding (embeddings included
// in `dense`), as estimate_memory computes them.
void apply_offload(const TransformerConfig& m, const Training& t, const Strategy& s, int stage,
                   double dense, double expert, MemoryEstimate& e);

}  // namespace cirrus::models
