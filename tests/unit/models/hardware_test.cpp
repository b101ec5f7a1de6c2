// GPU and node presets: every figure has a source, peaks are where the datasheet has them.
#include "models/hardware/hardware.hpp"
#include "models/network/cluster.hpp"

#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>

using cirrus::models::find_gpu;
using cirrus::models::find_node;
using cirrus::models::gpu_ids;
using cirrus::models::node_ids;
using cirrus::models::Precision;
using cirrus::models::ScaleUpKind;

TEST_CASE("every GPU preset has a source and positive datasheet figures", "[models]") {
  const auto ids = gpu_ids();
  REQUIRE(ids.size() == 15);
  for (const std::string& id : ids) {
    INFO(id);
    const auto g = find_gpu(id);
    REQUIRE(g.has_value());
    CHECK(g->id == id);
    CHECK_FALSE(g->source.empty());
    CHECK_FALSE(g->display.empty());
    CHECK(g->memory_bytes > 0);
    CHECK(g->memory_bw > 0);
    CHECK(g->tdp_w > 0);
    CHECK(g->sm_count > 0);
    CHECK(g->achieved_gemm_fraction >= 0);
    CHECK(g->achieved_gemm_fraction < 1);
    CHECK(g->achieved_memory_fraction >= 0);
    CHECK(g->achieved_memory_fraction < 1);
    // Every GPU here does FP32 and FP16; whatever it supports has a positive peak, and
    // asking for what it lacks throws.
    CHECK(g->supports(Precision::kFp32));
    CHECK(g->supports(Precision::kFp16));
    for (Precision p : {Precision::kFp32, Precision::kTf32, Precision::kFp16, Precision::kBf16,
                        Precision::kFp8}) {
      if (g->supports(p)) {
        CHECK(g->peak_for(p) > 0);
      } else {
        CHECK_THROWS_AS(g->peak_for(p), std::invalid_argument);
      }
    }
  }
}

TEST_CASE("GPU datasheet figures in decimal units", "[models]") {
  const auto a100 = find_gpu("a100-sxm-80gb");
  REQUIRE(a100);
  CHECK(a100->peak_for(Precision::kBf16) == 312e12);
  CHECK(a100->peak_for(Precision::kFp32) == 19.5e12);  // non-tensor FP32
  CHECK(a100->peak_for(Precision::kTf32) == 156e12);
  CHECK_FALSE(a100->supports(Precision::kFp8));
  CHECK(a100->memory_bytes == 80.0 * 1024 * 1024 * 1024);  // binary: 81920 MiB in nvidia-smi
  CHECK(a100->memory_bw == 2.039e12);
  CHECK(a100->sm_count == 108);
  CHECK(a100->achieved_gemm_fraction == Approx(250.8 / 312));  // Azure cuBLASLt, layer shape
  CHECK(a100->achieved_memory_fraction == Approx(1.61 / 2.039));

  const auto h100 = find_gpu("h100-sxm");
  REQUIRE(h100);
  CHECK(h100->peak_for(Precision::kBf16) == 989e12);
  CHECK(h100->peak_for(Precision::kFp8) == 1979e12);
  CHECK(h100->achieved_gemm_fraction == Approx(794.5 / 989));

  const auto h200 = find_gpu("h200-sxm");
  REQUIRE(h200);
  CHECK(h200->memory_bytes == 141.0 * 1024 * 1024 * 1024);
  CHECK(h200->achieved_gemm_fraction == h100->achieved_gemm_fraction);

  const auto v100 = find_gpu("v100-sxm-32gb");
  REQUIRE(v100);
  CHECK(v100->peak_for(Precision::kFp16) == 125e12);
  CHECK_FALSE(v100->supports(Precision::kBf16));  // Volta has no BF16
  CHECK_FALSE(v100->supports(Precision::kTf32));

  // Uncertain rows of hardware.md are flagged.
  CHECK(find_gpu("a10g")->uncertain);
  CHECK(find_gpu("a10")->uncertain);
  CHECK(find_gpu("h100-pcie")->uncertain);
  CHECK_FALSE(find_gpu("a100-sxm-80gb")->uncertain);
}

TEST_CASE("node presets", "[models]") {
  for (const char* id :
       {"dgx-a100-40gb", "dgx-a100-80gb", "dgx-h100", "dgx-h200", "l4-x8", "l40s-x8", "a10g-x8"}) {
    INFO(id);
    const auto n = find_node(id);
    REQUIRE(n.has_value());
    CHECK(n->id == id);
    CHECK_FALSE(n->source.empty());
    CHECK(n->gpus == 8);
    CHECK(n->scale_up_bw > 0);
    CHECK(n->scale_up_latency_s > 0);
    CHECK(n->nics > 0);
    CHECK(n->nic_bw > 0);
    CHECK(n->nic_latency_s > 0);
    CHECK(n->pcie_bw > 0);
    CHECK_FALSE(n->gpu.source.empty());
  }
  // The four DGX boards, three PCIe boxes and the clouds' instance shapes.
  CHECK(node_ids().size() == 24);
  CHECK(find_node("aws-p4de")->nics == 4);
  CHECK(find_node("aws-p4de")->nic_bw == 12.5e9);  // 100 Gb/s EFA
  CHECK(find_node("aws-p5")->nics == 32);

  const auto a100 = find_node("dgx-a100-80gb");
  CHECK(a100->gpu.id == "a100-sxm-80gb");
  CHECK(a100->scale_up == ScaleUpKind::kNvSwitch);
  CHECK(a100->scale_up_bw == 300e9);
  CHECK(a100->nics == 8);
  CHECK(a100->nic_bw == 25e9);  // HDR 200 Gb/s
  CHECK_FALSE(a100->nvls);

  const auto h100 = find_node("dgx-h100");
  CHECK(h100->gpu.id == "h100-sxm");
  CHECK(h100->scale_up_bw == 450e9);
  CHECK(h100->nic_bw == 50e9);  // NDR 400 Gb/s
  CHECK(h100->pcie_bw == 64e9);
  CHECK(h100->nvls);
  CHECK(find_node("dgx-h200")->gpu.id == "h200-sxm");

  const auto l4 = find_node("l4-x8");
  CHECK(l4->scale_up == ScaleUpKind::kPcie);
  CHECK(l4->scale_up_bw == 32e9);
}

TEST_CASE("unknown hardware ids are nullopt", "[models]") {
  CHECK_FALSE(find_gpu("a100").has_value());
  CHECK_FALSE(find_gpu("").has_value());
  CHECK_FALSE(find_node("dgx-b200").has_value());
}

TEST_CASE("hardware enum spellings", "[models]") {
  using cirrus::models::to_string;
  CHECK(std::string(to_string(Precision::kBf16)) == "bf16");
  CHECK(std::string(to_string(ScaleUpKind::kPcie)) == "pcie");
  CHECK(std::string(to_string(cirrus::models::Topology::kRailOptimized)) == "rail-optimized");
}

TEST_CASE("power-capped H100 96GB: H100 die at a sustained clock from MAMF's power scaling",
          "[models]") {
  const auto g = find_gpu("h100-96gb-500w");
  REQUIRE(g.has_value());
  // MAMF: GH200 at 900 W 828.6 TFLOP/s, H100 at 700 W 794.5: exponent ln(1.0429)/ln(1.2857)
  // = 0.04199/0.25131 = 0.1671; (500/700)^0.1671 = exp(0.1671 x -0.33647) = 0.9454.
  CHECK(g->sustained_clock == Approx(0.9454).epsilon(1e-3));
  CHECK(g->memory_bw == Approx(2.4e12));
  CHECK(g->uncertain);
  CHECK(g->compute_twin == "h100-sxm");
  const auto n = find_node("grand-teton-h100");
  REQUIRE(n.has_value());
  CHECK(n->gpu.id == "h100-96gb-500w");
  const auto h800 = find_node("hgx-h800");
  REQUIRE(h800.has_value());
  CHECK(h800->scale_up_bw == Approx(200e9));  // NVLink 400 GB/s bidirectional
}
