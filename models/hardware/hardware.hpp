#pragma once
// Hardware specs: GPUs and nodes. Every datasheet figure carries the source it came from
// (docs/reference/hardware.md); the simulator never invents a peak. The network between
// nodes is models/network/cluster.hpp.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>
#include "common/enum_names.hpp"

#include "models/hardware/precision.hpp"

namespace cirrus::models {

struct GpuSpec {
  std::string id;       // "a100-sxm-80gb"
  std::string display;  // "NVIDIA A100 SXM4 80GB"
  // Dense (no 2:4 sparsity) tensor-core peaks in FLOP/s; 0 where the GPU lacks the type.
  double peak_fp32 = 0;  // non-tensor FP32
  double peak_tf32 = 0;
  double peak_fp16 = 0;
  double peak_bf16 = 0;
  double peak_fp8 = 0;
  double memory_bytes = 0;  // HBM/GDDR capacity (decimal GB as on datasheets)
  double memory_bw = 0;     // bytes/s
  double tdp_w = 0;
  int sm_count = 0;  // streaming multiprocessors (for GEMM wave quantization)
  // Best achieved fraction of the dense bf16/fp16 peak in a published GEMM shape search
  // (ml-engineering MAMF table); 0 when unpublished (then a default applies and is flagged).
  double achieved_gemm_fraction = 0;
  // Achieved fraction of peak memory bandwidth in a STREAM-like copy (Azure benchmarks).
  double achieved_memory_fraction = 0;
  // Best achieved fraction of the dense fp8 peak in a published fp8 GEMM shape search (MAMF
  // H100 70.9%, H200 73.4%); 0 when unpublished.
  double achieved_fp8_gemm_fraction = 0;
  // Sustained tensor-core clock relative to the part the datasheet peak (and any measured
  // profile of the same die) describes: below 1 for power-capped parts. Compute-bound kernel
  // rates scale by it; memory-bound kernels follow memory_bw instead.
  double sustained_clock = 1.0;
  // The GPU whose measurements stand for this one's compute (same die and clocks or a stated
  // scaling): "h100-sxm" for the H200, H800 and the 96 GB H100; empty when none.
  std::string compute_twin;
  std::string source;
  bool uncertain = false;  // some figure is marked uncertain in the reference

  // Dense peak for the training precision; throws std::invalid_argument if unsupported.
  double peak_for(Precision p) const;
  bool supports(Precision p) const;
};

enum class ScaleUpKind { kNvSwitch, kNvLinkBridge, kPcie, kInfinityFabric };
const char* to_string(ScaleUpKind k);
inline constexpr EnumNames<ScaleUpKind, 4> kScaleUpKindNames = {
    {{ScaleUpKind::kNvSwitch, "nvswitch"},
     {ScaleUpKind::kNvLinkBridge, "nvlink-bridge"},
     {ScaleUpKind::kPcie, "pcie"},
     {ScaleUpKind::kInfinityFabric, "infinity-fabric"}}};

struct NodeSpec {
  std::string id;  // "dgx-a100-80gb"
  std::string display;
  GpuSpec gpu;
  int gpus = 8;
  ScaleUpKind scale_up = ScaleUpKind::kNvSwitch;
  double scale_up_bw = 0;         // per GPU, per direction, bytes/s
  double scale_up_latency_s = 0;  // one hop
  int nics = 0;                   // inter-node NICs per node
  double nic_bw = 0;              // per NIC, per direction, bytes/s
  double nic_latency_s = 0;       // one inter-node hop (NIC + switch)
  // Latency each network hop of an NCCL collective adds beyond NCCL's own figure for it (NCCL
  // tunes for InfiniBand): 0 for InfiniBand and RoCE nodes; AWS's EFA (through aws-ofi-nccl)
  // adds tens of microseconds, read off AWS's published two-node nccl-tests floors.
  double nic_extra_latency_s = 0;
  double host_memory_bytes = 0;
  double pcie_bw = 0;  // host<->GPU per GPU per direction, bytes/s
  // Measured pinned host<->device copy rate per GPU (nvbandwidth), bytes/s; 0 = unknown, then
  // offload uses pcie_bw and says so. Hierarchical storage (models/hardware/storage_tiers.hpp):
  double pcie_copy_bw = 0;
  double host_memory_bw = 0;  // CPU DRAM bandwidth of the node (all sockets), bytes/s; 0 unknown
  double nvme_bytes = 0;      // local NVMe capacity of the node; 0 = none known
  double nvme_read_bw = 0;    // node aggregate sequential read, bytes/s
  double nvme_write_bw = 0;   // node aggregate sequential write, bytes/s
  bool nvls = false;          // NVLink SHARP (NVSwitch gen 3)
  std::string source;
};

// Presets. find_* return nullopt for unknown ids; *_ids list what exists (for did-you-mean).
std::optional<GpuSpec> find_gpu(const std::string& id);
std::vector<std::string> gpu_ids();
std::optional<NodeSpec> find_node(const std::string& id);
std::vector<std::string> node_ids();

}  // namespace cirrus::models
