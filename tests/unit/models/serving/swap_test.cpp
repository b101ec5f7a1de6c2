// Preemption by swap against recompute on a KV cache too small for two sequences, with the
// copy time computed by hand.
#include <catch2/catch.hpp>

#include "models/serving/kv_cache.hpp"
#include "tests/unit/models/serving/serving_fixtures.hpp"

using namespace cirrus;
using namespace cirrus::models;
using cirrus::testing::check_little;
using cirrus::testing::FixedTimer;

TEST_CASE("swap keeps a preempted sequence's KV and charges its copies by hand", "[serving]") {
  // Llama 3 8B in bf16 on one GPU: 2 (K, V) x 32 layers x 8 KV heads x 128 x 2 bytes =
  // 131,072 bytes a token, 2,097,152 a 16-token block; over an H100 node's measured host link,
  // 51 GB/s (nvbandwidth), a block copies in 2,097,152 / 51e9 = 41.12 us.
  const IterationSetup setup = cirrus::testing::llama8b_h100();
  SchedulerConfig sc;
  const KvCacheSize kv = kv_cache_size(setup.model, setup.node.gpu, ServingNumerics{}, 1, sc);
  REQUIRE(kv.bytes_per_token == 131072);
  const double block_s = 2097152.0 / 51e9;

  // 10 blocks; two requests of 64 prompt tokens (4 blocks) and 40 output tokens. Both prefill
  // in iteration 1 (8 blocks), take a fifth block each at 65 cached tokens (10 blocks), and
  // when each needs a sixth at 81, the younger (B) is preempted: 5 blocks out. A runs to its
  // end (64 + 40 - 1 = 103 tokens, 7 blocks); B comes back when A is done: its 5 blocks in,
  // and a sixth for its next token. Swap copies 5 + 5 = 10 blocks; recompute copies none and
  // prefills B's 81 tokens again in one iteration instead of decoding one: the same iteration
  // count, so the swap run is longer by exactly the copies at a fixed iteration time.
  const auto requests = cirrus::testing::all_at_once(2, 64, 40);
  FleetConfig config;
  config.blocks = 10;
  config.host_blocks = 100;
  config.swap_seconds_per_block =
      static_cast<double>(kv.bytes_per_token) * 16 / setup.node.pcie_copy_bw;
  CHECK(config.swap_seconds_per_block == Approx(block_s));
  FixedTimer t1(0.01), t2(0.01);
  config.scheduler.preemption = PreemptionMode::kRecompute;
  const FleetOutcome recompute = simulate_fleet(requests, config, t1);
  config.scheduler.preemption = PreemptionMode::kSwap;
  const FleetOutcome swap = simulate_fleet(requests, config, t2);
  CHECK(recompute.replicas[0].preemptions == 1);
  CHECK(recompute.replicas[0].swaps == 0);
  CHECK(swap.replicas[0].preemptions == 1);
  CHECK(swap.replicas[0].swaps == 1);
  CHECK(swap.replicas[0].swap_ins == 1);
  CHECK(swap.replicas[0].swap_s == Approx(10 * block_s));
  CHECK(swap.replicas[0].iterations == recompute.replicas[0].iterations);
  CHECK((swap.last_finish - recompute.last_finish).seconds() == Approx(10 * block_s));
  CHECK(swap.requests[1].preemptions == 1);
  check_little(serving_metrics(requests, swap, {}, config.blocks));
  check_little(serving_metrics(requests, recompute, {}, config.blocks));

  // No room in the swap space: recompute instead.
  config.host_blocks = 4;
  FixedTimer t3(0.01);
  const FleetOutcome full = simulate_fleet(requests, config, t3);
  CHECK(full.replicas[0].swaps == 0);
  CHECK(full.replicas[0].preemptions == 1);
  CHECK(full.last_finish == recompute.last_finish);
}
