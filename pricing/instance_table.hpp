#pragma once
// The hardware of the cloud instances cirrus knows, by provider and provider's name: which
// cirrus GPU and node preset each one is, and its size. Importers use it to turn a provider's
// price row into a catalog entry that the simulator can run; the shipped catalogs carry the same
// figures (a test checks that they agree).
//
// Sources (docs/reference/pricing.md §1): vCPU, RAM and GPU counts from the SkyPilot catalog
// (AWS DescribeInstanceTypes) and Cyclenerd's gcp.yml (GCP shapes); network figures from
// instances.vantage.sh, stas00/ml-engineering network/README.md and the providers' pages. Figures
// REFERENCE marks as recalled ("mem") are flagged in the shipped catalogs' notes.
#include <optional>
#include <string>
#include <string_view>

namespace cirrus::pricing {

struct Instance;

struct KnownHardware {
  std::string_view provider;
  std::string_view name;       // the provider's instance name
  std::string_view gpu;        // cirrus GPU id; empty when cirrus cannot model the accelerator
  std::string_view gpu_model;  // what the accelerator is, in words
  double gpus = 0;
  double vcpus = 0;
  double memory_gib = 0;
  // cirrus node preset id (models/hardware/hardware.cpp): the provider's own preset where one
  // exists (aws-p5: a DGX H100 board with 32 x 100 Gb/s EFA), else a generic board whose network
  // the instance's network fields correct, else empty.
  std::string_view node;
  double network_gbps = 0;  // 0: unknown
  int nics = 0;             // 0: unknown
  double nic_gbps = 0;
};

// clang-format off
inline constexpr KnownHardware kKnownHardware[] = {
    // ---- AWS (REFERENCE §1a) ----
    {"aws", "p4d.24xlarge", "a100-sxm-40gb", "NVIDIA A100 SXM4 40GB", 8, 96, 1152, "aws-p4d", 400, 4, 100},
    {"aws", "p4de.24xlarge", "a100-sxm-80gb", "NVIDIA A100 SXM4 80GB", 8, 96, 1152, "aws-p4de", 400, 4, 100},
    {"aws", "p5.48xlarge", "h100-sxm", "NVIDIA H100 SXM5 80GB", 8, 192, 2048, "aws-p5", 3200, 32, 100},
    {"aws", "p5.4xlarge", "h100-sxm", "NVIDIA H100 SXM5 80GB", 1, 16, 256, "", 100, 1, 100},
    {"aws", "p5e.48xlarge", "h200-sxm", "NVIDIA H200 141GB", 8, 192, 2048, "aws-p5e", 3200, 32, 100},
    {"aws", "p5en.48xlarge", "h200-sxm", "NVIDIA H200 141GB", 8, 192, 2048, "aws-p5en", 3200, 16, 200},
    {"aws", "p6-b200.48xlarge", "", "NVIDIA B200 179 GiB", 8, 192, 2048, "", 3200, 8, 400},
    {"aws", "g5.xlarge", "a10g", "NVIDIA A10G 24GB", 1, 4, 16, "", 10, 0, 0},
    {"aws", "g5.12xlarge", "a10g", "NVIDIA A10G 24GB", 4, 48, 192, "", 40, 0, 0},
    {"aws", "g5.48xlarge", "a10g", "NVIDIA A10G 24GB", 8, 192, 768, "a10g-x8", 100, 1, 100},
    {"aws", "g6.xlarge", "l4", "NVIDIA L4 24GB", 1, 4, 16, "", 10, 0, 0},
    {"aws", "g6.12xlarge", "l4", "NVIDIA L4 24GB", 4, 48, 192, "", 40, 0, 0},
    {"aws", "g6.48xlarge", "l4", "NVIDIA L4 24GB", 8, 192, 768, "l4-x8", 100, 1, 100},
    {"aws", "g6e.xlarge", "l40s", "NVIDIA L40S 48GB", 1, 4, 32, "", 20, 0, 0},
    {"aws", "g6e.12xlarge", "l40s", "NVIDIA L40S 48GB", 4, 48, 384, "", 100, 0, 0},
    {"aws", "g6e.48xlarge", "l40s", "NVIDIA L40S 48GB", 8, 192, 1536, "l40s-x8", 400, 0, 0},
    {"aws", "trn1.2xlarge", "", "AWS Trainium (32 GB)", 1, 8, 32, "", 12.5, 0, 0},
    {"aws", "trn1.32xlarge", "", "AWS Trainium (32 GB)", 16, 128, 512, "", 800, 8, 100},
    {"aws", "trn1n.32xlarge", "", "AWS Trainium (32 GB)", 16, 128, 512, "", 1600, 16, 100},
    {"aws", "trn2.48xlarge", "", "AWS Trainium2 (96 GB)", 16, 192, 2048, "", 3200, 16, 200},
    {"aws", "inf2.xlarge", "", "AWS Inferentia2 (32 GB)", 1, 4, 16, "", 15, 0, 0},
    {"aws", "inf2.48xlarge", "", "AWS Inferentia2 (32 GB)", 12, 192, 768, "", 100, 0, 0},
    // ---- Google Cloud (REFERENCE §1b; shapes from Cyclenerd gcp.yml) ----
    {"gcp", "a2-highgpu-1g", "a100-sxm-40gb", "NVIDIA A100 SXM4 40GB", 1, 12, 85, "", 24, 0, 0},
    {"gcp", "a2-highgpu-2g", "a100-sxm-40gb", "NVIDIA A100 SXM4 40GB", 2, 24, 170, "", 32, 0, 0},
    {"gcp", "a2-highgpu-4g", "a100-sxm-40gb", "NVIDIA A100 SXM4 40GB", 4, 48, 340, "", 50, 0, 0},
    {"gcp", "a2-highgpu-8g", "a100-sxm-40gb", "NVIDIA A100 SXM4 40GB", 8, 96, 680, "gcp-a2-highgpu", 100, 0, 0},
    {"gcp", "a2-megagpu-16g", "a100-sxm-40gb", "NVIDIA A100 SXM4 40GB", 16, 96, 1360, "", 100, 0, 0},
    {"gcp", "a2-ultragpu-1g", "a100-sxm-80gb", "NVIDIA A100 SXM4 80GB", 1, 12, 170, "", 24, 0, 0},
    {"gcp", "a2-ultragpu-2g", "a100-sxm-80gb", "NVIDIA A100 SXM4 80GB", 2, 24, 340, "", 32, 0, 0},
    {"gcp", "a2-ultragpu-4g", "a100-sxm-80gb", "NVIDIA A100 SXM4 80GB", 4, 48, 680, "", 50, 0, 0},
    {"gcp", "a2-ultragpu-8g", "a100-sxm-80gb", "NVIDIA A100 SXM4 80GB", 8, 96, 1360, "gcp-a2-ultragpu", 100, 0, 0},
    {"gcp", "a3-highgpu-1g", "h100-sxm", "NVIDIA H100 80GB", 1, 26, 234, "", 0, 0, 0},
    {"gcp", "a3-highgpu-2g", "h100-sxm", "NVIDIA H100 80GB", 2, 52, 468, "", 0, 0, 0},
    {"gcp", "a3-highgpu-4g", "h100-sxm", "NVIDIA H100 80GB", 4, 104, 936, "", 0, 0, 0},
    {"gcp", "a3-highgpu-8g", "h100-sxm", "NVIDIA H100 80GB", 8, 208, 1872, "gcp-a3-highgpu", 1000, 4, 200},
    {"gcp", "a3-megagpu-8g", "h100-sxm", "NVIDIA H100 80GB Mega", 8, 208, 1872, "gcp-a3-megagpu", 1800, 8, 200},
    {"gcp", "a3-ultragpu-8g", "h200-sxm", "NVIDIA H200 141GB", 8, 224, 2952, "gcp-a3-ultragpu", 3200, 8, 400},
    {"gcp", "g2-standard-4", "l4", "NVIDIA L4 24GB", 1, 4, 16, "", 10, 0, 0},
    {"gcp", "g2-standard-8", "l4", "NVIDIA L4 24GB", 1, 8, 32, "", 16, 0, 0},
    {"gcp", "g2-standard-12", "l4", "NVIDIA L4 24GB", 1, 12, 48, "", 16, 0, 0},
    {"gcp", "g2-standard-16", "l4", "NVIDIA L4 24GB", 1, 16, 64, "", 32, 0, 0},
    {"gcp", "g2-standard-24", "l4", "NVIDIA L4 24GB", 2, 24, 96, "", 32, 0, 0},
    {"gcp", "g2-standard-32", "l4", "NVIDIA L4 24GB", 1, 32, 128, "", 32, 0, 0},
    {"gcp", "g2-standard-48", "l4", "NVIDIA L4 24GB", 4, 48, 192, "", 50, 0, 0},
    {"gcp", "g2-standard-96", "l4", "NVIDIA L4 24GB", 8, 96, 384, "l4-x8", 100, 0, 0},
    // ---- Azure (REFERENCE §1c) ----
    {"azure", "Standard_ND96asr_v4", "a100-sxm-40gb", "NVIDIA A100 SXM4 40GB", 8, 96, 900, "azure-nd-a100-v4", 1600, 8, 200},
    {"azure", "Standard_ND96amsr_A100_v4", "a100-sxm-80gb", "NVIDIA A100 SXM4 80GB", 8, 96, 1800, "azure-nd-a100-80gb-v4", 1600, 8, 200},
    {"azure", "Standard_ND96isr_H100_v5", "h100-sxm", "NVIDIA H100 SXM5 80GB", 8, 96, 1900, "azure-nd-h100-v5", 3200, 8, 400},
    {"azure", "Standard_ND96isr_H200_v5", "h200-sxm", "NVIDIA H200 141GB", 8, 96, 1850, "azure-nd-h200-v5", 3200, 8, 400},
    {"azure", "Standard_NC24ads_A100_v4", "a100-pcie-80gb", "NVIDIA A100 PCIe 80GB", 1, 24, 220, "", 20, 0, 0},
    {"azure", "Standard_NC48ads_A100_v4", "a100-pcie-80gb", "NVIDIA A100 PCIe 80GB", 2, 48, 440, "", 0, 0, 0},
    {"azure", "Standard_NC96ads_A100_v4", "a100-pcie-80gb", "NVIDIA A100 PCIe 80GB", 4, 96, 880, "", 0, 0, 0},
    {"azure", "Standard_NC40ads_H100_v5", "", "NVIDIA H100 NVL 94GB", 1, 40, 320, "", 0, 0, 0},
    {"azure", "Standard_NC80adis_H100_v5", "", "NVIDIA H100 NVL 94GB", 2, 80, 640, "", 0, 0, 0},
    // ---- Lambda (REFERENCE §1d) ----
    {"lambda", "gpu_8x_h100_sxm5", "h100-sxm", "NVIDIA H100 SXM 80GB", 8, 208, 1800, "lambda-h100", 0, 0, 0},
    {"lambda", "gpu_1x_h100_sxm5", "h100-sxm", "NVIDIA H100 SXM 80GB", 1, 26, 225, "", 0, 0, 0},
    {"lambda", "gpu_1x_h100_pcie", "h100-pcie", "NVIDIA H100 PCIe 80GB", 1, 26, 200, "", 0, 0, 0},
    {"lambda", "gpu_8x_b200_sxm6", "", "NVIDIA B200 180GB", 8, 208, 2900, "", 0, 0, 0},
    {"lambda", "gpu_1x_b200_sxm6", "", "NVIDIA B200 180GB", 1, 26, 360, "", 0, 0, 0},
    {"lambda", "gpu_8x_a100_80gb_sxm4", "a100-sxm-80gb", "NVIDIA A100 SXM4 80GB", 8, 0, 0, "dgx-a100-80gb", 0, 0, 0},
    {"lambda", "gpu_1x_a100_sxm4", "a100-sxm-40gb", "NVIDIA A100 SXM4 40GB", 1, 30, 200, "", 0, 0, 0},
    {"lambda", "gpu_2x_a100_sxm4", "a100-sxm-40gb", "NVIDIA A100 SXM4 40GB", 2, 60, 400, "", 0, 0, 0},
    {"lambda", "gpu_4x_a100_sxm4", "a100-sxm-40gb", "NVIDIA A100 SXM4 40GB", 4, 120, 800, "", 0, 0, 0},
    {"lambda", "gpu_1x_gh200", "", "NVIDIA GH200 96GB", 1, 64, 432, "", 0, 0, 0},
    {"lambda", "gpu_1x_a10", "a10", "NVIDIA A10 24GB", 1, 30, 200, "", 0, 0, 0},
};
// clang-format on

// The table entry for an instance, or null.
const KnownHardware* find_known_hardware(std::string_view provider, std::string_view name);

// Fills the instance's hardware from the table when it is there: the table's GPU, node and
// NICs always win (a price file does not know cirrus's ids); sizes fill only what is unknown.
// Returns whether the instance was in the table.
bool apply_known_hardware(Instance& in);

// A cirrus GPU id for an accelerator name as price files spell it ("A100-80GB", "H100", "L4",
// "NVIDIA A10G"), or nullopt. SXM is assumed where the name does not say: the table above is
// consulted first for instances where that matters.
std::optional<std::string> gpu_id_for_accelerator(std::string_view accelerator);

}  // namespace cirrus::pricing
