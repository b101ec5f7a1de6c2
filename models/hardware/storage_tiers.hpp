#pragma once
// Hierarchical storage for training (SE-MoE, Shen et al. 2022, arXiv:2205.10034; ZeRO-Offload
// and ZeRO-Infinity): where parameters and optimizer states live (GPU memory, host memory or
// the node's NVMe drives), how far ahead of use the parameters are prefetched, and the
// per-GPU bandwidths of the links between the tiers, from the node spec.
#include <string>
#include <vector>
#include "common/enum_names.hpp"

#include "models/hardware/hardware.hpp"

namespace cirrus::models {

enum class Tier { kGpu, kHost, kNvme };
const char* to_string(Tier t);
inline constexpr EnumNames<Tier, 3> kTierNames = {
    {{Tier::kGpu, "gpu"}, {Tier::kHost, "host"}, {Tier::kNvme, "nvme"}}};

// `strategy.offload` (an additive CONTRACT option). The default keeps everything on the GPU.
struct Offload {
  Tier params = Tier::kGpu;
  Tier optimizer = Tier::kGpu;
  // Layers whose parameters are loaded ahead of the layer in use: the GPU holds a ring of
  // prefetch_layers + 1 layer buffers (SE-MoE's prefetch across layers).
  int prefetch_layers = 1;
  // Experts (of the coming MoE layers) loaded ahead beyond those of the layer in use: the GPU
  // holds local_experts + prefetch_experts expert buffers (SE-MoE's prefetch across experts).
  // -1: not given, i.e. as many as the layer window covers (prefetch_layers x local experts).
  int prefetch_experts = -1;
  // Fused communication: gradient reductions merged into buckets of kFusedBucketBytes instead
  // of one collective per layer (fewer latencies, later start).
  bool fused_comm = false;

  bool params_offloaded() const { return params != Tier::kGpu; }
  bool optimizer_offloaded() const { return optimizer != Tier::kGpu; }
  bool any() const { return params_offloaded() || optimizer_offloaded(); }
};

// PyTorch DDP's default gradient bucket (bucket_cap_mb = 25), the fused bucket size.
inline constexpr double kFusedBucketBytes = 25.0 * 1024 * 1024;

// Per-GPU shares of the node's storage links, bytes/s. PCIe is per GPU already; host DRAM and
// NVMe are the node's, split evenly over its GPUs (each GPU's process offloads its own share).
struct TierBandwidths {
  double h2d = 0, d2h = 0;  // PCIe copy rate, per direction
  double nvme_read = 0, nvme_write = 0;
  double host_memory = 0;      // DRAM bandwidth for the CPU optimizer
  bool pcie_measured = false;  // h2d from a measured copy (nvbandwidth), not the link rate
};
TierBandwidths tier_bandwidths(const NodeSpec& node);

// The CPU optimizer's achieved fraction of the host DRAM bandwidth: DeepSpeed's CPU Adam is a
// vectorised streaming kernel, memory-bound like a STREAM triad; the GPU memory default (80%,
// efficiency.hpp) is reused as an assumption, not a CPU measurement.
inline constexpr double kCpuOptimizerMemoryFraction = 0.80;

// Plain-language statements of the figures offload relies on, for StepResult::assumptions.
std::vector<std::string> offload_assumptions(const NodeSpec& node, const Offload& o);

}  // namespace cirrus::models
