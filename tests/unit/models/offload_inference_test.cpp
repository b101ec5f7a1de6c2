// Offloaded inference: the ring schedule by hand, the active-expert expectation, and serving
// throughput against PCIe bandwidth beside resident serving.
#include <catch2/catch.hpp>

#include <cmath>

#include "models/compute/compute_model.hpp"
#include "models/systems/offload_inference.hpp"

namespace {

using namespace cirrus::models;

PassCost three(double compute, double bytes) {
  PassCost c;
  c.compute_s = {compute, compute, compute};
  c.weight_bytes = {bytes, bytes, bytes};
  return c;
}

ServeInput h100(const char* model) {
  ServeInput in;
  in.model = *find_model(model);
  const NodeSpec node = *find_node("dgx-h100");
  in.gpu = node.gpu;
  in.pcie_bw = node.pcie_copy_bw;
  in.spec.batch = {1, 8, 64};
  in.spec.prompt_tokens = 512;
  in.spec.output_tokens = 128;
  in.spec.gpu_sections = 2;
  return in;
}

}  // namespace

TEST_CASE("ring: loads overlap compute with two slots, not with one", "[models][inference]") {
  // Sections of 1 s compute and 2 s load (bytes 2 at 1 B/s). k = 2:
  //   load 0..2, compute 2..3; load 2..4 (slot free), compute 4..5; load 4..6 (slot of section
  //   0 free since 3), compute 6..7  -> 7 s = first load + 3 x max(1, 2) - ... = 2 + 2 + 2 + 1.
  CHECK(ring_pass_seconds(three(1, 2), 1.0, 2) == Approx(7.0));
  // k = 1: each load waits for the previous compute: 3 x (2 + 1) = 9 s.
  CHECK(ring_pass_seconds(three(1, 2), 1.0, 1) == Approx(9.0));
  // Compute-bound (load 0.5 s): the first load, then 3 computes back to back = 3.5 s.
  CHECK(ring_pass_seconds(three(1, 0.5), 1.0, 2) == Approx(3.5));
  CHECK(resident_pass_seconds(three(1, 0.5)) == Approx(3.0));
}

TEST_CASE("active experts: expectation under uniform top-k routing", "[models][inference]") {
  // One token reaches exactly top_k experts; 8 experts, top-2, 2 tokens: 8 (1 - 0.75^2) = 3.5.
  CHECK(expected_active_experts(8, 2, 1) == Approx(2.0));
  CHECK(expected_active_experts(8, 2, 2) == Approx(3.5));
  CHECK(expected_active_experts(8, 2, 1e4) == Approx(8.0));
}

TEST_CASE("expert parallelism: the busiest GPU's assignments", "[models][inference]") {
  // 800 tokens x top-2 = 1600 assignments over 8 GPUs: mean 200, sd sqrt(1600/8 x 7/8) = 13.229;
  // Blom: z = Phi^-1((8 - 0.375) / 8.25) = Phi^-1(0.92424) = 1.4342 -> 200 + 18.973 = 218.973.
  CHECK(ep_busiest_assignments(1600, 8, 1600) == Approx(218.973).epsilon(1e-4));
  // Two GPUs: z = Phi^-1(1.625 / 2.25) = 0.58946; mean 800, sd 20 -> 811.789.
  CHECK(ep_busiest_assignments(1600, 2, 1600) == Approx(811.789).epsilon(1e-4));
  // One token, top-2, 8 GPUs of one expert each: at most one assignment lands on a GPU.
  CHECK(ep_busiest_assignments(2, 8, 1) == Approx(1.0));
  CHECK(ep_busiest_assignments(1600, 1, 1600) == Approx(1600));
}

TEST_CASE("expert parallelism: a decode reads whole experts, a big batch waits for imbalance",
          "[models][inference]") {
  const TransformerConfig m = *find_model("mixtral-8x7b");  // 8 experts, top-2, 14336 wide
  const ComputeModel cm(find_node("dgx-h100")->gpu, Precision::kBf16);
  const double h = 4096, f = 14336, mats = 3;
  // One token at tp 8: split, it reaches 2 experts' 1/8 slices; placed whole (ep 8), the busiest
  // GPU holds one expert and reads all of it: 14336 vs 2 x 1792 = 3584 columns, 4x the bytes.
  const FfnCost split = inference_ffn_cost(m, cm, true, 1, 8, 2, 2, false, 1);
  const FfnCost whole = inference_ffn_cost(m, cm, true, 1, 8, 2, 2, false, 8);
  CHECK(split.weight_params == Approx(h * 8 + 2 * mats * h * (f / 8)));
  CHECK(whole.weight_params == Approx(h * 8 + 1 * mats * h * f));
  CHECK(whole.seconds > split.seconds);
  // 4096 tokens: the busiest GPU's one expert takes 1024 + 1.4342 x sqrt(8192 x 7/64) = 1067.9
  // of the 8192 assignments (+4.3% over the mean): the router over every token, then its expert
  // up (2 x 14336 wide: gate and up), the SwiGLU pass and down over those rows.
  const double rows = 1024 + 1.4342 * std::sqrt(8192 * 7.0 / 64);
  const double by_hand = cm.seconds(gemm("router", 4096, 8, h, 1, 2)) +
                         cm.seconds(weight_gemm("up", rows, 2 * f, h, 1, 2, 2, false)) +
                         cm.seconds(memory_op("act", mats * 2 * rows * f)) +
                         cm.seconds(weight_gemm("down", rows, h, f, 1, 2, 2, false));
  const FfnCost whole_big = inference_ffn_cost(m, cm, true, 4096, 8, 2, 2, false, 8);
  CHECK(whole_big.seconds == Approx(by_hand).epsilon(1e-4));
  // Against the split experts, the imbalance and the GEMMs' shapes make it slower, not faster.
  CHECK(whole_big.seconds > inference_ffn_cost(m, cm, true, 4096, 8, 2, 2, false, 1).seconds);
}

TEST_CASE("serve: doubling PCIe raises offloaded throughput, never above resident",
          "[models][inference]") {
  ServeInput in = h100("llama3-8b");  // 16 GB of bf16 weights: fits an 80 GB H100
  const auto base = serve(in);
  in.pcie_bw *= 2;
  const auto fast = serve(in);
  REQUIRE(base.size() == 3);
  for (std::size_t i = 0; i < base.size(); ++i) {
    INFO("batch " << base[i].batch);
    REQUIRE(base[i].resident_fits);
    REQUIRE(base[i].offloaded_fits);
    CHECK(fast[i].offloaded_tokens_per_s > base[i].offloaded_tokens_per_s);
    CHECK(fast[i].offloaded_tokens_per_s <= base[i].resident_tokens_per_s);
    CHECK(base[i].applies == "resident");
    CHECK(base[i].offloaded_gib < base[i].resident_gib);
  }
}

TEST_CASE("serve: a model larger than the GPU runs only offloaded", "[models][inference]") {
  ServeInput in = h100("mixtral-8x7b");  // 46.7 B parameters, 93 GB in bf16 > 80 GB
  const auto pts = serve(in);
  for (const auto& p : pts) {
    INFO("batch " << p.batch);
    CHECK_FALSE(p.resident_fits);
    CHECK(p.offloaded_fits);
    CHECK(p.applies == "offloaded");
    CHECK(p.offloaded_tokens_per_s > 0);
  }
  // Bigger batches reuse each streamed layer for more tokens.
  CHECK(pts[2].offloaded_tokens_per_s > pts[0].offloaded_tokens_per_s);
}
