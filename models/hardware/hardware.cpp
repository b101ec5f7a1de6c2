// GPU and node presets. Every figure comes from docs/reference/hardware.md (the project's
// reference copy of datasheets and published measurements) unless its comment says otherwise;
// each preset's `source` names where its row came from, and `uncertain` is set where that table
// marks a figure as uncertain.
#include "models/hardware/hardware.hpp"
#include "common/enum_names.hpp"

#include <cmath>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "common/units.hpp"

namespace cirrus::models {

const char* to_string(Precision p) { return name_in(kPrecisionNames, p); }

const char* to_string(ScaleUpKind k) { return name_in(kScaleUpKindNames, k); }

double GpuSpec::peak_for(Precision p) const {
  double peak = 0;
  switch (p) {
    case Precision::kFp32:
      peak = peak_fp32;
      break;  // plain FP32 runs on the CUDA cores
    case Precision::kTf32:
      peak = peak_tf32;
      break;
    case Precision::kFp16:
      peak = peak_fp16;
      break;
    case Precision::kBf16:
      peak = peak_bf16;
      break;
    case Precision::kFp8:
      peak = peak_fp8;
      break;
  }
  if (peak <= 0) {
    throw std::invalid_argument(id + " has no dense " + to_string(p) + " peak (unsupported)");
  }
  return peak;
}

bool GpuSpec::supports(Precision p) const {
  switch (p) {
    case Precision::kFp32:
      return peak_fp32 > 0;
    case Precision::kTf32:
      return peak_tf32 > 0;
    case Precision::kFp16:
      return peak_fp16 > 0;
    case Precision::kBf16:
      return peak_bf16 > 0;
    case Precision::kFp8:
      return peak_fp8 > 0;
  }
  return false;
}

namespace {

constexpr double kTflops = 1e12;  // datasheets quote decimal TFLOP/s
// HBM capacities are binary even where datasheets write "GB": an "80GB" A100 or H100 shows
// 81920 / 81559 MiB in nvidia-smi, so capacities are set in GiB (bandwidths stay decimal).

// Streaming-multiprocessor (AMD: compute-unit) counts are not in hardware.md; they are the
// vendors' published figures.
constexpr const char* kSmSource = "SM counts: NVIDIA architecture whitepapers (AMD CDNA3: CUs)";

constexpr const char* kMamfSource =
    "achieved GEMM: ml-engineering MAMF table (hardware.md, 'Dense GEMM')";
constexpr const char* kAzureGemmSource =
    "achieved GEMM: Azure AI-benchmarking-guide ND_A100_v4 cuBLASLt 6144x12288x12288 "
    "(hardware.md, 'Dense GEMM')";
constexpr const char* kStreamSource =
    "achieved HBM: Azure AI-benchmarking-guide STREAM copy (hardware.md, snapshot 8fd0c6e)";

std::string join_source(std::initializer_list<const char*> parts) {
  std::string out;
  for (const char* p : parts) {
    if (!out.empty()) out += "; ";
    out += p;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// GPUs (dense peaks, i.e. without 2:4 sparsity).
// ---------------------------------------------------------------------------------------------

GpuSpec a100_sxm(double memory_bytes, double memory_bw, const char* id, const char* display) {
  GpuSpec g;
  g.id = id;
  g.display = display;
  g.peak_fp32 = 19.5 * kTflops;
  g.peak_tf32 = 156 * kTflops;
  g.peak_fp16 = 312 * kTflops;
  g.peak_bf16 = 312 * kTflops;
  g.peak_fp8 = 0;  // Ampere has no FP8 tensor cores
  g.memory_bytes = memory_bytes;
  g.memory_bw = memory_bw;
  g.tdp_w = 400;
  g.sm_count = 108;
  // Sustained cuBLASLt throughput on a transformer-layer shape: Azure ND A100 v4,
  // 6144x12288x12288 fp16, 250.8 of 312 TFLOP/s. The MAMF table's 271.2 is the maximum of a
  // shape search, an upper bound that training GEMMs do not sit at; large square shapes on the
  // same Azure nodes give 253.7-256.5, in line with 250.8. The 40 GB and 80 GB parts share
  // SMs and clocks, so both take it.
  g.achieved_gemm_fraction = 250.8 / 312.0;
  return g;
}

std::vector<GpuSpec> make_gpus() {
  std::vector<GpuSpec> gpus;

  {
    GpuSpec g = a100_sxm(40 * kGiB, 1555 * kGB, "a100-sxm-40gb", "NVIDIA A100 SXM4 40GB");
    // No published STREAM figure for the 40 GB part: achieved_memory_fraction stays 0.
    // Same die, SMs and clocks as the 80 GB part: its measurements stand for this one's
    // compute (memory-bound rates scale with HBM, 1,555 against 2,039 GB/s).
    g.compute_twin = "a100-sxm-80gb";
    g.source =
        join_source({"NVIDIA A100 datasheet; 1,555 GB/s also in NVIDIA whitepaper table "
                     "(hardware.md, A100 SXM4 40GB row)",
                     kAzureGemmSource, kSmSource});
    gpus.push_back(g);
  }
  {
    GpuSpec g = a100_sxm(80 * kGiB, 2039 * kGB, "a100-sxm-80gb", "NVIDIA A100 SXM4 80GB");
    g.achieved_memory_fraction = 1.61 / 2.039;  // Azure ND A100 v4 copy 1.61 TB/s
    g.source =
        join_source({"ml-engineering tables citing NVIDIA spec (hardware.md, A100 SXM4 "
                     "80GB row; 400 W, CTS up to 500 W)",
                     kAzureGemmSource, kStreamSource, kSmSource});
    gpus.push_back(g);
  }
  {
    GpuSpec g;
    g.id = "a100-pcie-80gb";
    g.display = "NVIDIA A100 PCIe 80GB";
    g.peak_fp32 = 19.5 * kTflops;
    g.peak_tf32 = 156 * kTflops;
    g.peak_fp16 = 312 * kTflops;
    g.peak_bf16 = 312 * kTflops;
    g.memory_bytes = 80 * kGiB;
    g.memory_bw = 1935 * kGB;
    g.tdp_w = 300;
    g.sm_count = 108;
    g.achieved_gemm_fraction = 252.9 / 312.0;  // MAMF row "A100 PCIe"
    g.source =
        join_source({"ml-engineering tables citing NVIDIA spec (hardware.md, A100 PCIe "
                     "80GB row)",
                     kMamfSource, kSmSource});
    gpus.push_back(g);
  }
  {
    GpuSpec g;
    g.id = "h100-sxm";
    g.display = "NVIDIA H100 SXM5 80GB";
    g.peak_fp32 = 67 * kTflops;
    g.peak_tf32 = 494.5 * kTflops;
    g.peak_fp16 = 989 * kTflops;  // the table's 989 (989.4 from clocks); MAMF uses 989
    g.peak_bf16 = 989 * kTflops;
    g.peak_fp8 = 1979 * kTflops;
    g.memory_bytes = 80 * kGiB;
    g.memory_bw = 3.35e12;
    g.tdp_w = 700;
    g.sm_count = 132;
    g.achieved_gemm_fraction = 794.5 / 989.0;        // MAMF row "H100 SXM" bf16
    g.achieved_memory_fraction = 2.90 / 3.35;        // Azure ND H100 v5 copy 2.90 TB/s
    g.achieved_fp8_gemm_fraction = 1402.6 / 1979.0;  // MAMF row "H100 SXM" FP8 e4m3
    g.source =
        join_source({"ml-engineering (NVIDIA H100 spec); Llama 3 paper (700 W, 80 GB "
                     "HBM3) (hardware.md, H100 SXM5 row)",
                     kMamfSource, kStreamSource, kSmSource});
    gpus.push_back(g);
  }
  {
    // The H100 parts of Meta's Grand Teton hosts that torchtitan's benchmarks ran on: 96 GB of
    // HBM2e at 2.4 TB/s and a 500 W power limit (torchtitan's benchmark notes, quoted in
    // data/validation/torchtitan.json). No NVIDIA datasheet lists the part
    // (docs/reference/accelerators.md: "H100 SXM 96GB: not found"), hence uncertain. Its
    // compute is the H100 SXM die at a lower sustained clock: the one published measurement
    // of GEMM throughput against power, MAMF's GH200 at 900 W (828.6 TFLOP/s) against the H100
    // SXM at 700 W (794.5), gives throughput ~ power^0.167 (ln(828.6/794.5) / ln(900/700));
    // at 500 W that is (500/700)^0.167 = 0.945 of the 700 W part. An extrapolation, uncertain.
    GpuSpec g = gpus.back();  // the H100 SXM's die, peaks and published GEMM ceilings
    g.id = "h100-96gb-500w";
    g.display = "NVIDIA H100 96GB HBM2e (500 W cap)";
    g.memory_bytes = 96 * kGiB;
    g.memory_bw = 2.4e12;
    g.achieved_memory_fraction = 0;  // no STREAM figure for HBM2e: the default, flagged
    g.tdp_w = 500;
    g.sustained_clock = std::pow(500.0 / 700.0, std::log(828.6 / 794.5) / std::log(900.0 / 700.0));
    g.compute_twin = "h100-sxm";
    g.source =
        join_source({"torchtitan benchmark notes (96 GB HBM2e at 2.4 TB/s, 500 W limit; "
                     "data/validation/torchtitan.json); no datasheet "
                     "(accelerators.md); clock under the cap from MAMF GH200 900 W vs "
                     "H100 700 W; otherwise the H100 SXM's figures",
                     kMamfSource, kSmSource});
    g.uncertain = true;
    gpus.push_back(g);
  }
  {
    // H800: H100 silicon with NVLink cut to 400 GB/s bidirectional (a node property);
    // low-precision compute "very similar" to the H100 (accelerators.md S18, third-party only:
    // uncertain). The H100 SXM's figures.
    GpuSpec g = gpus[gpus.size() - 2];
    g.id = "h800-sxm";
    g.display = "NVIDIA H800 SXM5 80GB";
    g.compute_twin = "h100-sxm";
    g.source =
        join_source({"accelerators.md H800 SXM row (S18, third-party: uncertain): H100 "
                     "silicon, figures as the H100 SXM",
                     kMamfSource, kStreamSource, kSmSource});
    g.uncertain = true;
    gpus.push_back(g);
  }
  {
    GpuSpec g;
    g.id = "h100-pcie";
    g.display = "NVIDIA H100 PCIe 80GB";
    g.peak_fp32 = 51 * kTflops;
    g.peak_tf32 = 378 * kTflops;
    g.peak_fp16 = 756 * kTflops;
    g.peak_bf16 = 756 * kTflops;
    g.peak_fp8 = 1513 * kTflops;
    g.memory_bytes = 80 * kGiB;
    g.memory_bw = 2.0e12;
    g.tdp_w = 350;  // the table gives 300-350 W, uncertain: the upper end of the range
    g.sm_count = 114;
    g.source =
        join_source({"ml-engineering (NVIDIA spec) (hardware.md, H100 PCIe row; power "
                     "300-350 W marked uncertain)",
                     kSmSource});
    g.uncertain = true;
    gpus.push_back(g);
  }
  {
    GpuSpec g;
    g.id = "h200-sxm";
    g.display = "NVIDIA H200 SXM 141GB";
    g.peak_fp32 = 67 * kTflops;
    g.peak_tf32 = 494.5 * kTflops;
    g.peak_fp16 = 989 * kTflops;
    g.peak_bf16 = 989 * kTflops;
    g.peak_fp8 = 1979 * kTflops;
    g.memory_bytes = 141 * kGiB;
    g.memory_bw = 4.8e12;
    g.tdp_w = 700;
    g.sm_count = 132;
    // The MAMF table's H100 SXM bf16 row notes "H200 is the same" (same GH100 die and clocks).
    g.achieved_gemm_fraction = 794.5 / 989.0;
    g.achieved_memory_fraction = 4.01 / 4.8;         // Azure ND H200 v5 copy 4.01 TB/s
    g.achieved_fp8_gemm_fraction = 1453.4 / 1979.0;  // MAMF row "H200 SXM" FP8
    g.compute_twin = "h100-sxm";
    g.source = join_source({"ml-engineering (NVIDIA H200 spec) (hardware.md, H200 SXM row)",
                            kMamfSource, kStreamSource, kSmSource});
    gpus.push_back(g);
  }
  {
    GpuSpec g;
    g.id = "l4";
    g.display = "NVIDIA L4";
    // The L4 datasheet quotes sparse figures; hardware.md halves them to dense.
    g.peak_fp32 = 30.3 * kTflops;
    g.peak_tf32 = 60 * kTflops;
    g.peak_fp16 = 121 * kTflops;
    g.peak_bf16 = 121 * kTflops;
    g.peak_fp8 = 242.5 * kTflops;
    g.memory_bytes = 24 * kGiB;
    g.memory_bw = 300 * kGB;
    g.tdp_w = 72;
    g.sm_count = 58;
    g.source =
        join_source({"NVIDIA L4 datasheet (sparse figures halved to dense), vendor-page "
                     "copies (hardware.md, L4 row)",
                     kSmSource});
    gpus.push_back(g);
  }
  {
    GpuSpec g;
    g.id = "l40s";
    g.display = "NVIDIA L40S";
    g.peak_fp32 = 91.6 * kTflops;
    g.peak_tf32 = 183 * kTflops;
    g.peak_fp16 = 362 * kTflops;
    g.peak_bf16 = 362 * kTflops;
    g.peak_fp8 = 733 * kTflops;
    g.memory_bytes = 48 * kGiB;
    g.memory_bw = 864 * kGB;
    g.tdp_w = 350;
    g.sm_count = 142;
    g.source =
        join_source({"ml-engineering (NVIDIA L40S spec); vendor page copy (hardware.md, "
                     "L40S row)",
                     kSmSource});
    gpus.push_back(g);
  }
  {
    GpuSpec g;
    g.id = "a10";
    g.display = "NVIDIA A10";
    g.peak_fp32 = 31.2 * kTflops;
    g.peak_tf32 = 62.5 * kTflops;
    g.peak_fp16 = 125 * kTflops;
    g.peak_bf16 = 125 * kTflops;
    g.memory_bytes = 24 * kGiB;
    g.memory_bw = 600 * kGB;
    g.tdp_w = 150;
    g.sm_count = 72;
    g.source =
        join_source({"recalled NVIDIA A10 datasheet, not retrieved (hardware.md, A10 "
                     "row, marked uncertain)",
                     kSmSource});
    g.uncertain = true;
    gpus.push_back(g);
  }
  {
    GpuSpec g;
    g.id = "a10g";
    g.display = "NVIDIA A10G (AWS G5)";
    // NVIDIA publishes no A10G datasheet; every compute figure is "~" and uncertain.
    g.peak_fp32 = 31.2 * kTflops;  // the table gives ~31-35: the lower end
    g.peak_tf32 = 35 * kTflops;
    g.peak_fp16 = 70 * kTflops;
    g.peak_bf16 = 70 * kTflops;
    g.memory_bytes = 24 * kGiB;
    g.memory_bw = 600 * kGB;
    g.tdp_w = 300;
    g.sm_count = 80;  // commonly reported for A10G (GA102, 80 SMs); not on an NVIDIA page
    g.source =
        join_source({"no NVIDIA datasheet; memory 24 GB / 600 GB/s from Baseten 'A10 vs "
                     "A10G' blog, tensor figures as recalled (hardware.md, A10G row, "
                     "marked uncertain)",
                     "SM count 80: commonly reported, uncertain"});
    g.uncertain = true;
    gpus.push_back(g);
  }
  for (const bool big : {true, false}) {
    GpuSpec g;
    g.id = big ? "v100-sxm-32gb" : "v100-sxm-16gb";
    g.display = big ? "NVIDIA V100 SXM2 32GB" : "NVIDIA V100 SXM2 16GB";
    g.peak_fp32 = 15.7 * kTflops;
    g.peak_fp16 = 125 * kTflops;  // FP16 tensor cores only: Volta has no BF16, TF32 or FP8
    g.memory_bytes = (big ? 32 : 16) * kGiB;
    g.memory_bw = 900 * kGB;
    g.tdp_w = 300;
    g.sm_count = 80;
    g.source = join_source(
        {"NVIDIA V100 datasheet, final clocks (hardware.md, V100 SXM2 row)", kSmSource});
    gpus.push_back(g);
  }
  {
    GpuSpec g;
    g.id = "mi300x";
    g.display = "AMD Instinct MI300X";
    g.peak_fp32 = 163.4 * kTflops;
    g.peak_tf32 = 654 * kTflops;
    g.peak_fp16 = 1307 * kTflops;
    g.peak_bf16 = 1307 * kTflops;
    g.peak_fp8 = 2615 * kTflops;
    g.memory_bytes = 192 * kGiB;
    g.memory_bw = 5.3e12;
    g.tdp_w = 750;
    g.sm_count = 304;                           // compute units
    g.achieved_gemm_fraction = 668.4 / 1307.0;  // MAMF row "MI300X" bf16, ROCm tunable op
    g.source = join_source({"ml-engineering (AMD spec page) (hardware.md, MI300X row)", kMamfSource,
                            "CU count: AMD CDNA3 white paper"});
    gpus.push_back(g);
  }
  return gpus;
}

const std::vector<GpuSpec>& gpus() {
  static const std::vector<GpuSpec> kGpus = make_gpus();
  return kGpus;
}

// ---------------------------------------------------------------------------------------------
// Nodes.
// ---------------------------------------------------------------------------------------------

// Latencies: typical published NCCL-path figures (about 0.7 us for one NVSwitch/NVLink hop,
// about 2.5 us for an InfiniBand/RoCE NIC-to-NIC hop through one switch), not constants fitted
// to any result. A calibration profile replaces them.
constexpr double kScaleUpLatencyS = 0.7e-6;
constexpr double kNicLatencyS = 2.5e-6;

// PCIe x16 per direction, the datasheet rate (hardware.md link table: Gen4 ~31-32 GB/s, Gen5
// ~63-64 GB/s). Measured host-to-device copies are lower: nvbandwidth reads 26.28 GB/s on A100
// (Gen4) and 51 GB/s on H100 (Gen5); a profile carries the measured figure.
constexpr double kPcieGen4Bw = 32 * kGB;
constexpr double kPcieGen5Bw = 64 * kGB;

constexpr double kTiB = 1024.0 * kGiB;

// Measured pinned host-to-device copies (Azure nvbandwidth, hardware.md): A100 26.28 GB/s
// (PCIe Gen4), H100 51 GB/s, H200 52 GB/s (PCIe Gen5).
constexpr double kA100CopyBw = 26.28 * kGB;
constexpr double kH100CopyBw = 51 * kGB;
constexpr double kH200CopyBw = 52 * kGB;

// Host DRAM bandwidth from the memory channels (physical peak, not measured): DGX A100 has two
// AMD EPYC 7742 with 8 channels of DDR4-3200 each (2 x 8 x 25.6 GB/s); DGX H100/H200 two Intel
// Xeon Platinum 8480C with 8 channels of DDR5-4800 each (2 x 8 x 38.4 GB/s). CPU and DIMM
// types from the DGX datasheets as recalled, not re-read.
constexpr double kDgxA100HostBw = 2 * 8 * 25.6 * kGB;
constexpr double kDgxH100HostBw = 2 * 8 * 38.4 * kGB;

// Local NVMe: DGX A100 640 GB (80 GB GPUs) and DGX H100/H200 ship 8 x 3.84 TB U.2 NVMe data
// drives (30 TB), DGX A100 320 GB 4 x 3.84 TB (15 TB), per the DGX datasheets as recalled (not
// re-read). Per-drive sequential rates are those of a PCIe Gen4 enterprise U.2 drive of that
// class (Samsung PM1733 3.84 TB datasheet: 7.0 GB/s read, 3.8 GB/s write; recalled, uncertain),
// striped (RAID-0, as DGX OS sets up /raid) so the node's rate is the sum.
constexpr double kNvmeDriveBytes = 3.84e12;
constexpr double kNvmeDriveReadBw = 7.0 * kGB;
constexpr double kNvmeDriveWriteBw = 3.8 * kGB;

void set_nvme(NodeSpec& n, int drives) {
  n.nvme_bytes = drives * kNvmeDriveBytes;
  n.nvme_read_bw = drives * kNvmeDriveReadBw;
  n.nvme_write_bw = drives * kNvmeDriveWriteBw;
}

const GpuSpec& gpu(const char* id) {
  for (const GpuSpec& g : gpus()) {
    if (g.id == id) return g;
  }
  throw std::logic_error(std::string("hardware preset table names unknown GPU ") + id);
}

NodeSpec dgx_a100(bool big) {
  NodeSpec n;
  n.id = big ? "dgx-a100-80gb" : "dgx-a100-40gb";
  n.display = big ? "NVIDIA DGX A100 (8x A100 SXM4 80GB)" : "NVIDIA DGX A100 (8x A100 SXM4 40GB)";
  n.gpu = gpu(big ? "a100-sxm-80gb" : "a100-sxm-40gb");
  n.gpus = 8;
  n.scale_up = ScaleUpKind::kNvSwitch;
  n.scale_up_bw = 300 * kGB;  // NVLink3: 12 links x 25 GB/s per direction
  n.scale_up_latency_s = kScaleUpLatencyS;
  n.nics = 8;
  n.nic_bw = 200 * kGbps;  // HDR InfiniBand, 200 Gb/s = 25 GB/s
  n.nic_latency_s = kNicLatencyS;
  n.host_memory_bytes = big ? 2 * kTiB : 1 * kTiB;
  n.pcie_bw = kPcieGen4Bw;
  n.pcie_copy_bw = kA100CopyBw;
  n.host_memory_bw = kDgxA100HostBw;
  set_nvme(n, big ? 8 : 4);
  n.nvls = false;  // NVLink SHARP needs third-generation NVSwitch (Hopper)
  n.source =
      "NVIDIA DGX A100 datasheet as given in the project brief (8 GPUs on NVSwitch, 8x 200 Gb/s "
      "HDR NICs, 1 TB / 2 TB host memory; not re-read); NVLink3 300 GB/s per direction and PCIe "
      "Gen4 x16 32 GB/s from hardware.md link table (nvbandwidth measures 26.28 GB/s host-to-"
      "device); latencies are typical published NCCL-path figures";
  return n;
}

NodeSpec dgx_hopper(bool h200) {
  NodeSpec n;
  n.id = h200 ? "dgx-h200" : "dgx-h100";
  n.display = h200 ? "NVIDIA DGX H200 (8x H200 SXM 141GB)" : "NVIDIA DGX H100 (8x H100 SXM5 80GB)";
  n.gpu = gpu(h200 ? "h200-sxm" : "h100-sxm");
  n.gpus = 8;
  n.scale_up = ScaleUpKind::kNvSwitch;
  n.scale_up_bw = 450 * kGB;  // NVLink4: 18 links, 450 GB/s per direction
  n.scale_up_latency_s = kScaleUpLatencyS;
  n.nics = 8;
  n.nic_bw = 400 * kGbps;  // NDR InfiniBand, 400 Gb/s = 50 GB/s
  n.nic_latency_s = kNicLatencyS;
  n.host_memory_bytes = 2 * kTiB;
  n.pcie_bw = kPcieGen5Bw;
  n.pcie_copy_bw = h200 ? kH200CopyBw : kH100CopyBw;
  n.host_memory_bw = kDgxH100HostBw;
  set_nvme(n, 8);
  n.nvls = true;  // third-generation NVSwitch supports NVLink SHARP
  n.source = std::string(h200 ? "NVIDIA DGX H200" : "NVIDIA DGX H100") +
             " datasheet as given in the project brief (8 GPUs on NVSwitch gen 3 with NVLS, 8x "
             "400 Gb/s NDR NICs, 2 TB host memory; not re-read); NVLink4 450 GB/s per direction "
             "and PCIe Gen5 x16 64 GB/s from hardware.md link table (nvbandwidth measures 51-52 "
             "GB/s host-to-device); latencies are typical published NCCL-path figures";
  return n;
}

// Meta's Grand Teton host as torchtitan's benchmarks describe it: 8 H100 96GB (500 W) fully
// connected with NVLink (an HGX H100 board: NVSwitch gen 3), 400 Gb/s RDMA per GPU.
NodeSpec grand_teton() {
  NodeSpec n = dgx_hopper(false);
  n.id = "grand-teton-h100";
  n.display = "Meta Grand Teton (8x H100 96GB HBM2e, 500 W)";
  n.gpu = gpu("h100-96gb-500w");
  n.nics = 8;
  n.nic_bw = 400 * kGbps;
  n.source =
      "torchtitan benchmark notes (8x H100 per host fully connected with NVLink, backend "
      "RDMA 400 Gb/s per GPU; data/validation/torchtitan.json); board as " +
      n.source;
  return n;
}

// An HGX H800 node as DeepSeek-V3's cluster has it: NVLink cut to 400 GB/s bidirectional
// (200 per direction; third-party, uncertain) and one 400 Gb/s CX7 InfiniBand NIC per GPU
// (accelerators.md section 2, S15/S18).
NodeSpec hgx_h800() {
  NodeSpec n = dgx_hopper(false);
  n.id = "hgx-h800";
  n.display = "HGX H800 (8x H800 SXM5, NVLink 400 GB/s, 8x 400 Gb/s IB)";
  n.gpu = gpu("h800-sxm");
  n.scale_up_bw = 200 * kGB;
  n.nics = 8;
  n.nic_bw = 400 * kGbps;
  n.source =
      "accelerators.md section 2 H800 node (NVLink 400 GB/s bidir, uncertain; 1x CX7 400 "
      "Gb/s per GPU, DeepEP README); board otherwise as " +
      n.source;
  return n;
}

NodeSpec pcie_node(const char* id, const char* display, const char* gpu_id) {
  NodeSpec n;
  n.id = id;
  n.display = display;
  n.gpu = gpu(gpu_id);
  n.gpus = 8;
  // No NVLink: GPU-to-GPU traffic crosses PCIe Gen4 x16 (hardware.md: L4, L40S and A10G are
  // PCIe4 x16 parts).
  n.scale_up = ScaleUpKind::kPcie;
  n.scale_up_bw = kPcieGen4Bw;
  n.scale_up_latency_s = kScaleUpLatencyS;
  n.nics = 1;
  n.nic_bw = 100 * kGbps;
  n.nic_latency_s = kNicLatencyS;
  // Host memory is not in the reference: 0 means unknown (no host offload is assumed).
  n.host_memory_bytes = 0;
  n.pcie_bw = kPcieGen4Bw;
  n.nvls = false;
  n.source =
      "GPU and PCIe Gen4 x16 32 GB/s per direction from hardware.md; one 100 Gb/s NIC "
      "per node as given in the project brief (typical of cloud 8-GPU PCIe instances; check the "
      "instance's network figure); host memory unknown; latencies are typical published "
      "NCCL-path figures";
  return n;
}

// A cloud instance's node: a DGX-class board with the provider's NICs. Figures from
// docs/reference/pricing.md section 1 (EFA counts per ml-engineering network/README.md).
NodeSpec cloud_node(NodeSpec base, const char* id, const char* display, int nics, double gbps,
                    const char* network_source) {
  base.id = id;
  base.display = display;
  base.nics = nics;
  base.nic_bw = gbps * kGbps;
  base.source = std::string(network_source) + "; board as " + base.source;
  return base;
}

// EFA's latency per network hop beyond NCCL's InfiniBand figure, read off AWS's published
// two-node nccl-tests all_reduce outputs (aws-samples/awsome-distributed-training @ 0162aacd,
// micro-benchmarks/nccl-tests/README.md; data/validation/nccl_2node_efa.json): the median
// time of the latency-bound sizes (up to 1 KiB) is 71.1 us on 2 x p5 (EFA v2) and 164.7 us on
// 2 x p4de (EFA v1), where NCCL's tuner model with InfiniBand hop latencies gives 25.2 us (its
// fastest choice there, the double binary tree with LL: 6.8 + 2 x (7 x 0.6 + 1 x 5.0)); the
// excess is spread over the tree's two network hops. A measured network figure of these
// instances, like a calibration profile's; the generation of EFA decides which applies.
constexpr double kEfaV1ExtraHopS = (164.65 - 25.2) / 2 * 1e-6;
constexpr double kEfaV2ExtraHopS = (71.07 - 25.2) / 2 * 1e-6;

NodeSpec with_efa(NodeSpec n, double extra_hop_s, const char* generation) {
  n.nic_extra_latency_s = extra_hop_s;
  n.source += std::string("; EFA latency per network hop +") +
              std::to_string(static_cast<int>(extra_hop_s * 1e6 + 0.5)) +
              " us beyond NCCL's "
              "InfiniBand figure, from AWS's two-node nccl-tests on the " +
              generation + " instance (hardware.cpp, kEfa*ExtraHopS)";
  return n;
}

std::vector<NodeSpec> make_nodes() {
  const NodeSpec a100_40 = dgx_a100(false);
  const NodeSpec a100_80 = dgx_a100(true);
  const NodeSpec h100 = dgx_hopper(false);
  const NodeSpec h200 = dgx_hopper(true);
  std::vector<NodeSpec> out = {
      a100_40,
      a100_80,
      h100,
      h200,
      grand_teton(),
      hgx_h800(),
      cloud_node(a100_40, "aws-p4d", "AWS p4d.24xlarge (8x A100 40GB, 4x 100 Gb/s EFA)", 4, 100,
                 "AWS p4d: 400 Gb/s EFA v1 as 4 x 100 Gb/s (REFERENCE.md section 1)"),
      cloud_node(a100_80, "aws-p4de", "AWS p4de.24xlarge (8x A100 80GB, 4x 100 Gb/s EFA)", 4, 100,
                 "AWS p4de: 400 Gb/s EFA as 4 x 100 Gb/s (REFERENCE.md section 1)"),
      cloud_node(h100, "aws-p5", "AWS p5.48xlarge (8x H100, 32x 100 Gb/s EFA)", 32, 100,
                 "AWS p5: 3200 Gb/s EFA v2 as 32 x 100 Gb/s (REFERENCE.md section 1)"),
      cloud_node(h200, "aws-p5e", "AWS p5e.48xlarge (8x H200, 32x 100 Gb/s EFA)", 32, 100,
                 "AWS p5e: 3200 Gb/s EFA v2 (REFERENCE.md section 1)"),
      cloud_node(h200, "aws-p5en", "AWS p5en.48xlarge (8x H200, 16x 200 Gb/s EFA)", 16, 200,
                 "AWS p5en: 3200 Gb/s EFA v3 as 16 x 200 Gb/s (REFERENCE.md section 1)"),
      cloud_node(a100_40, "gcp-a2-highgpu", "GCP a2-highgpu-8g (8x A100 40GB, 100 Gb/s)", 1, 100,
                 "GCP a2: 100 Gb/s per VM (REFERENCE.md section 1, recalled)"),
      cloud_node(a100_80, "gcp-a2-ultragpu", "GCP a2-ultragpu-8g (8x A100 80GB, 100 Gb/s)", 1, 100,
                 "GCP a2-ultra: 100 Gb/s per VM (REFERENCE.md section 1, recalled)"),
      cloud_node(h100, "gcp-a3-highgpu", "GCP a3-highgpu-8g (8x H100, 4x 200 Gb/s TCPX)", 4, 200,
                 "GCP A3 High: 4 x 200 Gb/s GPUDirect-TCPX (REFERENCE.md section 1)"),
      cloud_node(h100, "gcp-a3-megagpu", "GCP a3-megagpu-8g (8x H100, 8x 200 Gb/s TCPXO)", 8, 200,
                 "GCP A3 Mega: 8 x 200 Gb/s GPUDirect-TCPXO (REFERENCE.md section 1)"),
      cloud_node(h200, "gcp-a3-ultragpu", "GCP a3-ultragpu-8g (8x H200, 8x 400 Gb/s RoCE)", 8, 400,
                 "GCP A3 Ultra: 8 x 400 Gb/s CX-7 RoCE (REFERENCE.md section 1)"),
      cloud_node(a100_40, "azure-nd-a100-v4", "Azure ND96asr_v4 (8x A100 40GB, 8x 200 Gb/s IB)", 8,
                 200, "Azure ND A100 v4: 8 x 200 Gb/s HDR InfiniBand (REFERENCE.md section 1)"),
      cloud_node(a100_80, "azure-nd-a100-80gb-v4",
                 "Azure ND96amsr_A100_v4 (8x A100 80GB, 8x 200 Gb/s IB)", 8, 200,
                 "Azure ND A100 v4: 8 x 200 Gb/s HDR InfiniBand (REFERENCE.md section 1)"),
      cloud_node(h100, "azure-nd-h100-v5", "Azure ND96isr_H100_v5 (8x H100, 8x 400 Gb/s IB)", 8,
                 400, "Azure ND H100 v5: 8 x 400 Gb/s NDR InfiniBand (REFERENCE.md section 1)"),
      cloud_node(h200, "azure-nd-h200-v5", "Azure ND96isr_H200_v5 (8x H200, 8x 400 Gb/s IB)", 8,
                 400, "Azure ND H200 v5: 8 x 400 Gb/s NDR InfiniBand (REFERENCE.md, recalled)"),
      cloud_node(h100, "lambda-h100", "Lambda 8x H100 SXM (3200 Gb/s InfiniBand)", 8, 400,
                 "Lambda 1-Click Clusters: 3200 Gb/s InfiniBand (REFERENCE.md, recalled)"),
      pcie_node("l4-x8", "8x NVIDIA L4 (PCIe)", "l4"),
      pcie_node("l40s-x8", "8x NVIDIA L40S (PCIe)", "l40s"),
      pcie_node("a10g-x8", "8x NVIDIA A10G (PCIe)", "a10g")};
  for (auto& n : out) {
    if (n.id == "aws-p4d" || n.id == "aws-p4de") n = with_efa(n, kEfaV1ExtraHopS, "p4de (EFA v1)");
    if (n.id == "aws-p5" || n.id == "aws-p5e" || n.id == "aws-p5en") {
      n = with_efa(n, kEfaV2ExtraHopS, "p5 (EFA v2)");
    }
  }
  return out;
}

const std::vector<NodeSpec>& nodes() {
  static const std::vector<NodeSpec> kNodes = make_nodes();
  return kNodes;
}

}  // namespace

std::optional<GpuSpec> find_gpu(const std::string& id) {
  for (const GpuSpec& g : gpus()) {
    if (g.id == id) return g;
  }
  return std::nullopt;
}

std::vector<std::string> gpu_ids() {
  std::vector<std::string> ids;
  for (const GpuSpec& g : gpus()) ids.push_back(g.id);
  return ids;
}

std::optional<NodeSpec> find_node(const std::string& id) {
  for (const NodeSpec& n : nodes()) {
    if (n.id == id) return n;
  }
  return std::nullopt;
}

std::vector<std::string> node_ids() {
  std::vector<std::string> ids;
  for (const NodeSpec& n : nodes()) ids.push_back(n.id);
  return ids;
}

}  // namespace cirrus::models
