// Offloaded inference: the ring schedule by hand, the active-expert expectation, and serving
// throughput against PCIe bandwidth beside resident serving.
#include <catch2/catch.hpp>

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
