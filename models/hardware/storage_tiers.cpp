#include "models/hardware/storage_tiers.hpp"
#include "common/enum_names.hpp"

#include <fmt/format.h>

namespace cirrus::models {

const char* to_string(Tier t) { return name_in(kTierNames, t); }

TierBandwidths tier_bandwidths(const NodeSpec& node) {
  TierBandwidths b;
  b.pcie_measured = node.pcie_copy_bw > 0;
  b.h2d = b.pcie_measured ? node.pcie_copy_bw : node.pcie_bw;
  b.d2h = b.h2d;
  const double gpus = node.gpus > 0 ? node.gpus : 1;
  b.nvme_read = node.nvme_read_bw / gpus;
  b.nvme_write = node.nvme_write_bw / gpus;
  b.host_memory = node.host_memory_bw * kCpuOptimizerMemoryFraction / gpus;
  return b;
}

std::vector<std::string> offload_assumptions(const NodeSpec& node, const Offload& o) {
  std::vector<std::string> out;
  if (!o.any()) return out;
  const TierBandwidths b = tier_bandwidths(node);
  out.push_back(fmt::format(
      "offload: host<->GPU copies at {:.1f} GB/s per GPU per direction ({})", b.h2d / 1e9,
      b.pcie_measured ? "measured pinned copy of this node type, nvbandwidth"
                      : "PCIe link rate of the datasheet; no measured copy rate"));
  if (o.optimizer_offloaded()) {
    out.push_back(fmt::format(
        "offload: CPU Adam memory-bound at {:.0f}% of the host DRAM bandwidth ({:.0f} GB/s per "
        "node from the memory channels, an assumption, not a CPU measurement), 30 bytes per "
        "parameter",
        kCpuOptimizerMemoryFraction * 100, node.host_memory_bw / 1e9));
  }
  if (o.params == Tier::kNvme || o.optimizer == Tier::kNvme) {
    out.push_back(fmt::format(
        "offload: NVMe at {:.1f} GB/s read and {:.1f} GB/s write per node (striped drives' "
        "sequential datasheet rates, recalled; no file-system or software overhead)",
        node.nvme_read_bw / 1e9, node.nvme_write_bw / 1e9));
  }
  return out;
}

}  // namespace cirrus::models
