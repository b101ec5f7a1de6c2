// The iteration-time model and the KV cache's size against hand calculations for Llama 3 8B on
// one H100 SXM (datasheet figures: 3.35 TB/s HBM at the 2.90 TB/s Azure copy rate, 80 GiB).
#include <catch2/catch.hpp>

#include "models/compute/efficiency.hpp"
#include "models/serving/kv_cache.hpp"
#include "tests/unit/models/serving/serving_fixtures.hpp"

using namespace cirrus;
using namespace cirrus::models;

TEST_CASE("weights per GPU: the whole model at tp 1, a tp-th of it and the replicated parts",
          "[serving]") {
  const TransformerConfig m = *find_model("llama3-8b");
  CHECK(weight_bytes_per_gpu(m, ServingNumerics{}, 1) == Approx(2.0 * m.parameters()));
  // tp 8 with 8 KV heads: K, V and everything else split 8 ways, the norms (4h per layer and the
  // final 2h) kept whole on every GPU.
  const double h = 4096;
  const double norms = 32 * 4 * h + 2 * h;
  CHECK(weight_bytes_per_gpu(m, ServingNumerics{}, 8) ==
        Approx(2.0 * ((m.parameters() - norms) / 8 + norms)));
  CHECK(kv_heads_per_gpu(m, 8) == 1);
  CHECK(kv_heads_per_gpu(m, 2) == 4);
}

TEST_CASE("the KV cache holds what memory leaves after weights, activations and runtime",
          "[serving]") {
  const TransformerConfig m = *find_model("llama3-8b");
  const GpuSpec gpu = *find_gpu("h100-sxm");
  SchedulerConfig s;  // 8192 tokens, 256 sequences, 0.9, blocks of 16
  const KvCacheSize k = kv_cache_size(m, gpu, ServingNumerics{}, 1, s);
  // Activations: the FFN's live set over 8192 tokens, 2 bytes x 8192 x (2 x 4096 [residual,
  // normed input] + 2 x 14336 [gate, up] + 14336 [SwiGLU output]) = 838,860,800 bytes; the
  // logits 4 x 256 x 128,256 = 131 MB are smaller.
  CHECK(k.activation_bytes == Approx(838860800.0));
  // One token: K and V x 32 layers x 8 heads x 128 x 2 bytes = 131,072 bytes.
  CHECK(k.bytes_per_token == Approx(131072.0));
  const double left = 0.9 * 80 * 1073741824.0 - 2.0 * m.parameters() - 838860800.0 - 1073741824.0;
  CHECK(k.kv_bytes == Approx(left));
  CHECK(k.blocks == static_cast<std::int64_t>(left / (131072.0 * 16)));
  CHECK(k.tokens() == k.blocks * 16);
  // A 70B model on one 80 GiB GPU leaves nothing.
  CHECK(kv_cache_size(*find_model("llama3-70b"), gpu, ServingNumerics{}, 1, s).blocks == 0);
}

TEST_CASE("a long-context decode is bound by its KV-cache reads", "[serving]") {
  IterationModel model(cirrus::testing::llama8b_h100());
  // One decode over 100,000 cached tokens, per layer: K and V reads 2 x 2 B x 100,001 x 1024
  // plus q and the output 2 x 2 B x 4096, at the copy rate 2.90 TB/s, one kernel gap; x 32.
  BatchWork w;
  w.add(1, 100000, false);
  const double bytes = 2.0 * 2 * 100001 * 1024 + 2.0 * 2 * 4096;
  const double per_layer = bytes / 2.90e12 + defaults::kKernelGapSeconds;
  CHECK(model.attention_seconds(w) == Approx(32 * per_layer).epsilon(1e-9));
  CHECK(model.seconds(w) ==
        Approx(model.token_seconds(1) + model.logits_seconds(1) + 32 * per_layer));
}

TEST_CASE("a small decode batch reads the weights once per iteration", "[serving]") {
  IterationModel model(cirrus::testing::llama8b_h100());
  // The work of 1 and of 8 tokens is the weight read: every weight but the embedding table (of
  // which only the tokens' rows are read), 16.06 - 1.05 GB at 2.90 TB/s (5.2 ms); eight
  // sequences cost hardly more than one.
  const TransformerConfig m = *find_model("llama3-8b");
  const double read = weight_bytes_per_gpu(m, ServingNumerics{}, 1) - 2.0 * 128256 * 4096;
  const double t1 = model.token_seconds(1);
  const double t8 = model.token_seconds(8);
  // Plus one 2 us gap for each of 259 kernels: 8 per layer (two norms, QKV, rotary, attention
  // output, two FFN GEMMs, SwiGLU), the embedding, the final norm and the logits.
  CHECK(t1 + model.logits_seconds(1) ==
        Approx(read / 2.90e12 + 259 * defaults::kKernelGapSeconds).epsilon(0.005));
  CHECK(t8 < 1.01 * t1);
  // A 4096-token prefill is compute-bound: far above the weight read.
  CHECK(model.token_seconds(4096) > 10 * t1);
  // Memoized: the same answer twice.
  CHECK(model.token_seconds(8) == t8);
}

TEST_CASE("tensor parallelism adds two all-reduces per layer and shrinks the rest", "[serving]") {
  IterationModel one(cirrus::testing::llama8b_h100(1));
  IterationModel two(cirrus::testing::llama8b_h100(2));
  CHECK(one.all_reduce_seconds(512) == 0);
  CHECK(two.all_reduce_seconds(512) > 0);
  CHECK(two.token_seconds(1) < one.token_seconds(1));
  CHECK(two.token_seconds(1) > 32 * 2 * two.all_reduce_seconds(1));
}

TEST_CASE("pipeline stages: vLLM's layer partition, the tightest stage's blocks", "[serving]") {
  // 80 layers over 3 stages: 26 each, the remainder 2 on the stages before the last.
  CHECK(stage_layers(80, 3) == std::vector<int>{27, 27, 26});
  CHECK(stage_layers(32, 4) == std::vector<int>{8, 8, 8, 8});
  CHECK(stage_layers(5, 4) == std::vector<int>{1, 1, 2, 1});
  // Llama 3 70B at tp 4 x pp 2 against tp 8: a GPU holds the same share of every weight
  // (40 layers / 4 vs 80 / 8), the first stage the embedding (v h / 4 vs both tables / 8), and
  // the same KV (40 layers x 2 KV heads vs 80 x 1): the block counts agree within the norms'
  // replication. Each of the 2 virtual engines schedules half of them.
  const TransformerConfig m = *find_model("llama3-70b");
  const GpuSpec gpu = *find_gpu("h100-sxm");
  SchedulerConfig s;
  const KvCacheSize tp8 = kv_cache_size(m, gpu, ServingNumerics{}, 8, s);
  const KvCacheSize pp2 = kv_cache_size(m, gpu, ServingNumerics{}, 4, s, 2);
  CHECK(pp2.bytes_per_token == Approx(tp8.bytes_per_token));
  CHECK(static_cast<double>(pp2.blocks) == Approx(static_cast<double>(tp8.blocks)).epsilon(0.01));
  CHECK(pp2.engines == 2);
  CHECK(pp2.engine_blocks() == pp2.blocks / 2);
  CHECK(tp8.engine_blocks() == tp8.blocks);
  // Two stages halve each GPU's weights (the first stage's embedding is 1/80 of them).
  CHECK(weight_bytes_per_gpu(m, ServingNumerics{}, 4, 2) <
        0.51 * weight_bytes_per_gpu(m, ServingNumerics{}, 4));
}

TEST_CASE("pipeline stages add one send of hidden states and residual per stage boundary",
          "[serving]") {
  IterationSetup flat = cirrus::testing::llama8b_h100(2);
  IterationSetup staged = flat;
  staged.pp = 4;  // 2 x 4 = 8 GPUs: one node, the sends on NVLink
  IterationModel a(flat), b(staged);
  CHECK(a.stage_send_seconds(512) == 0);
  CHECK(b.stage_send_seconds(512) > 0);
  // The same layers on the same tp, plus 3 sends of 2 x 512 x 4096 x 2 bytes.
  CHECK(b.token_seconds(512) == Approx(a.token_seconds(512) + 3 * b.stage_send_seconds(512)));
  // Across nodes (tp 2 x pp 8 > 8 GPUs) the sends take the NICs: slower than NVLink.
  staged.pp = 8;
  IterationModel c(staged);
  CHECK(c.stage_send_seconds(512) > b.stage_send_seconds(512));
}
