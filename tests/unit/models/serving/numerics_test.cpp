// Serving's number formats (serving_numerics.hpp) and TensorRT-LLM's cache policy against hand
// calculations: fp8 weights, an fp8 KV cache, the free-memory KV sizing and reserving admission.
#include <catch2/catch.hpp>

#include "models/compute/compute_model.hpp"
#include "models/serving/kv_cache.hpp"
#include "models/serving/scheduler.hpp"
#include "tests/unit/models/serving/serving_fixtures.hpp"

using namespace cirrus;
using namespace cirrus::models;

TEST_CASE("fp8 stores the blocks' linear layers in one byte, the rest in the dtype", "[serving]") {
  const TransformerConfig m = *find_model("llama3-8b");
  // Llama 3 8B, per layer: Q and O 2 x 4096^2, K and V 2 x 4096 x 1024, FFN 3 x 4096 x 14336:
  // 218,103,808 linear weights, x 32 layers = 6,979,321,856. The rest: norms 4 x 4096 per layer
  // and 2 x 4096 at the end, embedding and output layer 2 x 128,256 x 4096: 1,051,205,632.
  const double linear = 6979321856.0, rest = 1051205632.0;
  CHECK(linear + rest == Approx(m.parameters()));
  const ServingNumerics fp8 =
      serving_numerics(Precision::kBf16, Quantization::kFp8, KvCacheDtype::kAuto);
  CHECK(weight_bytes_per_gpu(m, fp8, 1) == Approx(linear * 1 + rest * 2));
  const ServingNumerics int8 =
      serving_numerics(Precision::kBf16, Quantization::kInt8WeightOnly, KvCacheDtype::kAuto);
  CHECK(weight_bytes_per_gpu(m, int8, 1) == Approx(linear * 1 + rest * 2));
  CHECK(fp8.fp8_gemms);
  CHECK_FALSE(int8.fp8_gemms);
  const ServingNumerics fp16 =
      serving_numerics(Precision::kFp16, Quantization::kNone, KvCacheDtype::kAuto);
  CHECK(weight_bytes_per_gpu(m, fp16, 1) == Approx(2.0 * m.parameters()));
}

TEST_CASE("an fp8 KV cache holds a token in half the bytes", "[serving]") {
  const TransformerConfig m = *find_model("llama3-8b");
  const GpuSpec gpu = *find_gpu("h100-sxm");
  const SchedulerConfig s;
  const KvCacheSize bf16 = kv_cache_size(m, gpu, ServingNumerics{}, 1, s);
  const KvCacheSize fp8 = kv_cache_size(
      m, gpu, serving_numerics(Precision::kBf16, Quantization::kNone, KvCacheDtype::kFp8), 1, s);
  // K and V x 32 layers x 8 heads x 128 x 1 byte.
  CHECK(fp8.bytes_per_token == Approx(65536.0));
  CHECK(fp8.kv_bytes == Approx(bf16.kv_bytes));
  CHECK(fp8.blocks == static_cast<std::int64_t>(fp8.kv_bytes / (65536.0 * 16)));
}

TEST_CASE("TensorRT-LLM sizes the cache as a share of the memory left free", "[serving]") {
  const TransformerConfig m = *find_model("llama3-8b");
  const GpuSpec gpu = *find_gpu("h100-sxm");
  SchedulerConfig s;
  s.kv_cache_free_fraction = 0.9;
  const KvCacheSize k = kv_cache_size(m, gpu, ServingNumerics{}, 1, s);
  // 0.9 x (80 GiB - 2 x parameters - 838,860,800 activations - 1 GiB runtime).
  const double gib = 1073741824.0;
  const double free = 80 * gib - 2.0 * m.parameters() - 838860800.0 - gib;
  CHECK(k.kv_bytes == Approx(0.9 * free));
  CHECK(k.blocks == static_cast<std::int64_t>(0.9 * free / (131072.0 * 16)));
}

TEST_CASE("an fp8 GEMM reads its weight at one byte", "[serving]") {
  // 1 x 4096 activations by a 4096 x 6144 weight: 2 B x (4096 + 6144) activations in and out,
  // 1 B x 4096 x 6144 weights.
  const Op op = weight_gemm("qkv", 1, 6144, 4096, 1, 2.0, 1.0, true);
  CHECK(op.bytes == Approx(2.0 * (4096 + 6144) + 4096.0 * 6144));
  CHECK(op.flops == Approx(2.0 * 4096 * 6144));
  CHECK(op.fp8);
  // With the weight in the activations' type it is the plain GEMM.
  CHECK(weight_gemm("x", 3, 5, 7, 2, 2.0, 2.0, false).bytes ==
        Approx(gemm("x", 3, 5, 7, 2, 2.0).bytes));
}

TEST_CASE("fp8 weights nearly halve a memory-bound decode", "[serving]") {
  IterationSetup bf16 = cirrus::testing::llama8b_h100();
  IterationSetup fp8 = bf16;
  fp8.numerics = serving_numerics(Precision::kBf16, Quantization::kFp8, KvCacheDtype::kAuto);
  IterationModel a(bf16), b(fp8);
  // One token: every linear GEMM is bound by its weight reads (16 GB against 8.0 GB of the 15 GB
  // that are linear weights), the 16-bit output layer and the kernel gaps are not, so the fp8
  // pass takes more than half and well under the bf16 one.
  const double ratio = b.token_seconds(1) / a.token_seconds(1);
  CHECK(ratio > 0.5);
  CHECK(ratio < 0.65);
}

TEST_CASE("reserving admission never preempts and caps the batch at what the cache holds",
          "[serving]") {
  // 100 blocks of 16 tokens; requests of 100 prompt + 60 output tokens cache 159 tokens: 10
  // blocks each, so at most 10 run at once and nothing is ever preempted.
  SchedulerConfig c;
  c.reserve_full = true;
  c.max_num_seqs = 256;
  FleetConfig fleet;
  fleet.scheduler = c;
  fleet.blocks = 100;
  cirrus::testing::FixedTimer timer(0.01);
  const auto requests = cirrus::testing::all_at_once(50, 100, 60);
  const FleetOutcome out = simulate_fleet(requests, fleet, timer);
  CHECK(out.replicas[0].preemptions == 0);
  CHECK(out.replicas[0].peak_blocks == 100);
  // Five waves of ten, each 60 iterations long (the prompt's iteration gives the first token):
  // 300 iterations.
  CHECK(out.replicas[0].iterations == 300);
  const ServingMetrics m = serving_metrics(requests, out, {}, fleet.blocks);
  cirrus::testing::check_little(m);
}
