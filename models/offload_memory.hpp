#pragma once
// GPU, host and NVMe bytes of one GPU's model states under hierarchical storage
// (strategy.offload). Offloaded parameters leave a ring of prefetch_layers + 1 layer buffers on
// the GPU (the embedding and output layers stay resident); offloaded optimizer states leave
// nothing on the GPU, and the gradients they consume are kept beside them (fp32 on the host, as
// ZeRO-Offload does). The offloaded bytes count against the node's host memory or NVMe.
#include "models/memory.hpp"
#include "models/step_result.hpp"

namespace cirrus::models {

struct StepInput;

// Rewrites e.params / e.grads / e.optimizer for `stage` and fills e.host / e.nvme. `dense` and
// `expert` are the stage's parameter counts per GPU before ZeRO sharding (embeddings included
// in `dense`), as estimate_memory computes them.
void apply_offload(const TransformerConfig& m, const Training& t, const Strategy& s, int stage,
                   double dense, double expert, MemoryEstimate& e);

// Checks the offloaded bytes of every stage against the node's host memory and NVMe (all GPUs
// of a node offload to the same host): false with r.infeasible_reason set when they do not fit
// or the node's capacity is unknown (0).
bool check_offload_capacity(const StepInput& in, StepResult& r);

}  // namespace cirrus::models
