// The offloaded ring as a serving replica (models/serving/offload_iteration.hpp) against hand
// calculations: one decoding sequence's iteration is the ring pass over its layers, PCIe-bound;
// the KV cache gets the memory the streamed layers leave.
#include <catch2/catch.hpp>
#include <cmath>

#include "models/serving/fleet_sim.hpp"
#include "models/serving/offload_iteration.hpp"
#include "tests/unit/models/serving/serving_fixtures.hpp"

using namespace cirrus;
using namespace cirrus::models;

TEST_CASE("offloaded replica: one sequence's iteration is the ring pass at the PCIe bandwidth",
          "[serving]") {
  const TransformerConfig m = *find_model("llama3-8b");
  const GpuSpec gpu = find_node("dgx-h100")->gpu;
  const ComputeModel cm(gpu, Precision::kBf16);
  const double pcie = 25e9;  // 25 GB/s, given
  OffloadIteration ring(m, cm, Precision::kBf16, {2, pcie});
  BatchWork work;
  work.add(1, 1000, false);  // one decode at 1000 cached tokens

  const PassCost c = pass_cost(m, cm, Precision::kBf16, 1, 1.0, 1000.0);
  REQUIRE(c.compute_s.size() == 32);
  // Each layer's weights: 2 h^2 + 2 h kv + 4 h + 3 h f parameters in bf16 (h 4096, kv 1024,
  // f 14336): 436.2 MB, 17.4 ms at 25 GB/s; a one-token layer computes in well under that, so
  // with two slots the loads run back to back and each layer computes right after its load:
  // iteration = 32 loads + the last layer's compute + the resident head.
  const double h = 4096, kv = 1024, f = 14336;
  const double layer_bytes = 2.0 * (2 * h * h + 2 * h * kv + 4 * h + 3 * h * f);
  CHECK(c.weight_bytes[0] == Approx(layer_bytes));
  for (const double s : c.compute_s) REQUIRE(s < layer_bytes / pcie);
  const double expected = 32 * layer_bytes / pcie + c.compute_s.back() + c.head_s;
  CHECK(ring.seconds(work) == Approx(expected).epsilon(1e-12));
  CHECK(ring.seconds(work) == Approx(ring_pass_seconds(c, pcie, 2)).epsilon(1e-12));

  // Through the fleet: one request of 1000 + 2 tokens is a 1000-token prefill pass and one decode
  // pass at 1000 cached tokens.
  FleetConfig fc;
  fc.blocks = 1000;
  const std::vector<Request> one = {{0, sim::Time::zero(), 1000, 2}};
  const FleetOutcome out = simulate_fleet(one, fc, ring);
  BatchWork prefill;
  prefill.add(1000, 0, true);
  const double prefill_s =
      ring_pass_seconds(pass_cost(m, cm, Precision::kBf16, 1, 1000, 0), pcie, 2);
  CHECK(ring.seconds(prefill) == Approx(prefill_s).epsilon(1e-12));
  CHECK(out.requests[0].finish.seconds() == Approx(prefill_s + expected).epsilon(1e-9));
}

TEST_CASE("offloaded replica: the KV cache takes what the resident sections leave", "[serving]") {
  const TransformerConfig m = *find_model("llama3-70b");
  const GpuSpec gpu = find_node("dgx-h100")->gpu;
  const ServingNumerics num =
      serving_numerics(Precision::kBf16, Quantization::kNone, KvCacheDtype::kAuto);
  SchedulerConfig s;
  // 70B in bf16 does not fit one 80 GB GPU resident; streamed with 2 sections it does.
  CHECK(kv_cache_size(m, gpu, num, 1, s).blocks == 0);
  const KvCacheSize k = offload_kv_cache_size(m, gpu, num, 2, s);
  const double resident =
      resident_weight_bytes(m, Precision::kBf16) + 2 * layer_weight_bytes(m, 0, Precision::kBf16);
  CHECK(k.weight_bytes == Approx(resident));
  const double left = 0.9 * gpu.memory_bytes - resident - k.activation_bytes - k.runtime_bytes;
  // 2 x 80 layers x 8 KV heads x 128 x 2 bytes = 327,680 bytes a token; blocks of 16 tokens.
  CHECK(k.bytes_per_token == Approx(327680));
  CHECK(k.blocks == static_cast<std::int64_t>(std::floor(left / (327680.0 * 16))));
  CHECK(k.blocks > 0);
}
