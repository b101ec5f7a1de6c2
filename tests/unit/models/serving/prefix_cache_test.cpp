// Prefix caching, by hand: a second request sharing a prefix skips it in its prefill, freed
// cached blocks are evicted least recently freed first (a sequence's tail before its prefix),
// and the prefix-affinity router keeps a prefix on one replica.
#include <catch2/catch.hpp>

#include "models/serving/arrivals.hpp"
#include "models/serving/prefix.hpp"
#include "models/serving/prefix_cache.hpp"
#include "models/serving/router.hpp"
#include "models/serving/scheduler.hpp"
#include "tests/unit/models/serving/serving_fixtures.hpp"

using namespace cirrus;
using namespace cirrus::models;
using cirrus::testing::check_little;

namespace {

// An iteration costs 1 ms per new token: prefill time is the tokens computed.
class TokenTimer final : public IterationTimer {
 public:
  double seconds(const BatchWork& work) override {
    last_cached = work.chunks.empty() ? -1 : work.chunks.front().cached;
    return 1e-3 * static_cast<double>(work.tokens);
  }
  std::int64_t last_cached = -1;
};

std::vector<Request> spaced(int n, double gap_s, int input, int output) {
  std::vector<Request> out;
  out.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    out.push_back(
        {static_cast<std::uint32_t>(i), sim::Time::from_seconds(gap_s * i), input, output});
  }
  return out;
}

sim::Time at(int ms) { return sim::Time::ps(std::int64_t{ms} * 1'000'000'000); }

}  // namespace

TEST_CASE("prefix ids: shareable blocks and chained hashes", "[serving]") {
  PrefixIds ids(512);
  ids.add(std::vector<std::uint64_t>{7, 8});
  ids.add(std::vector<std::uint64_t>{7, 9});
  ids.add(std::vector<std::uint64_t>{});
  // 2 ids cover 1024 tokens; a 1000-token prompt has 62 full 16-token blocks.
  CHECK(ids.shareable_blocks(0, 1000, 16) == 62);
  CHECK(ids.shareable_blocks(0, 5000, 16) == 64);
  CHECK(ids.shareable_blocks(2, 5000, 16) == 0);
  // Blocks 0..31 lie in the shared first id, block 32 in the second, which differs.
  CHECK(ids.block_hash(0, 31, 16) == ids.block_hash(1, 31, 16));
  CHECK(ids.block_hash(0, 32, 16) != ids.block_hash(1, 32, 16));
  CHECK(ids.block_hash(0, 0, 16) != ids.block_hash(0, 1, 16));
  // A 48-token block straddling ids 0 and 1 (tokens 480..527) depends on both.
  CHECK(ids.block_hash(0, 10, 48) != ids.block_hash(1, 10, 48));
  CHECK(ids.block_hash(0, 9, 48) == ids.block_hash(1, 9, 48));
}

TEST_CASE("synthetic prefixes come before the drawn prompt, from their own stream", "[serving]") {
  auto requests = spaced(1000, 0.01, 100, 5);
  const PrefixIds ids = synthetic_prefixes(requests, {4, 300}, 7);
  REQUIRE(ids.requests() == 1000);
  CHECK(requests[0].input_len == 400);
  CHECK(ids.tokens_per_id() == 300);
  // 300 tokens: 18 full blocks of 16.
  CHECK(ids.shareable_blocks(0, 400, 16) == 18);
  int same_as_first = 0;
  for (std::uint32_t r = 1; r < 1000; ++r) {
    if (ids.block_hash(r, 0, 16) == ids.block_hash(0, 0, 16)) ++same_as_first;
  }
  // One group in four: 250 expected, binomial sd 13.7.
  CHECK(same_as_first > 190);
  CHECK(same_as_first < 310);
}

TEST_CASE("a shared prefix is skipped in the second request's prefill", "[serving]") {
  // Both prompts: a 512-token shared prefix (32 blocks of 16) and 88 tokens of their own. At
  // 1 ms a token, the first prefills 600 tokens: its first token at 600 ms, its second (a
  // 1-token decode) at 601 ms. The second arrives at 1 s, finds the 32 blocks and computes
  // 600 - 512 = 88 tokens: TTFT 88 ms instead of 600 ms.
  auto requests = spaced(2, 1.0, 88, 2);
  const PrefixIds ids = synthetic_prefixes(requests, {1, 512}, 1);
  FleetConfig config;
  config.blocks = 1000;
  config.prefix = &ids;
  TokenTimer timer;
  const FleetOutcome cached = simulate_fleet(requests, config, timer);
  CHECK((cached.requests[0].first_token - requests[0].arrival).seconds() == Approx(0.600));
  CHECK((cached.requests[1].first_token - requests[1].arrival).seconds() == Approx(0.088));
  CHECK(cached.replicas[0].prefix_hit_tokens == 512);
  const ServingMetrics m = serving_metrics(requests, cached, {}, config.blocks);
  CHECK(m.prefix_caching);
  CHECK(m.prefix_hit_rate == Approx(512.0 / 1200.0));
  check_little(m);

  config.prefix = nullptr;
  const FleetOutcome plain = simulate_fleet(requests, config, timer);
  CHECK((plain.requests[1].first_token - requests[1].arrival).seconds() == Approx(0.600));
}

TEST_CASE("at least one token is computed when the whole prompt is cached", "[serving]") {
  // A 512-token prompt that is all prefix: 32 blocks; the cap leaves (512 - 1) / 16 = 31
  // blocks hit, so 16 tokens are computed again (at 1 ms each).
  auto requests = spaced(2, 1.0, 0, 1);
  const PrefixIds ids = synthetic_prefixes(requests, {1, 512}, 1);
  FleetConfig config;
  config.blocks = 100;
  config.prefix = &ids;
  TokenTimer timer;
  const FleetOutcome o = simulate_fleet(requests, config, timer);
  CHECK(o.replicas[0].prefix_hit_tokens == 496);
  CHECK((o.requests[1].first_token - requests[1].arrival).seconds() == Approx(0.016));
  CHECK(timer.last_cached == 496);
}

TEST_CASE("freed cached blocks are evicted least recently freed, tail first", "[serving]") {
  // 40 blocks. A (prefix 0) and B (prefix 1) each bring 512 prefix tokens and 8 of their own
  // (520 tokens: 33 blocks, 32 of them shareable) and generate 1 token, so each finishes with
  // its prefill. C (prefix 0 again) comes last.
  //   A takes 33 of the 40 untouched blocks; freed: 1 plain block, then its prefix blocks
  //     last first (31, 30, ..., 0). Queue: 8 plain, A31..A0.
  //   B takes the 8 plain blocks and evicts A31..A7 (25); A0..A6 stay cached.
  //     Queue: A6..A0, 1 plain, B31..B0.
  //   C finds A0..A6: 7 blocks, 112 tokens, and computes 408; it needs 33 - 7 = 26 new
  //     blocks: the plain one and B31..B7 (25 more evictions, 50 in all).
  SchedulerConfig c;
  PrefixIds ids(512);
  ids.add(std::vector<std::uint64_t>{0});
  ids.add(std::vector<std::uint64_t>{1});
  ids.add(std::vector<std::uint64_t>{0});
  std::vector<SeqState> st(3);
  for (SeqState& s : st) {
    s.input = 520;
    s.output = 1;
  }
  ReplicaScheduler s(c, 40, st, {0, &ids});
  std::vector<std::uint32_t> done;
  for (std::uint32_t r = 0; r < 3; ++r) {
    s.enqueue(r);
    const BatchWork& w = s.schedule(at(static_cast<int>(r)));
    REQUIRE(w.chunks.size() == 1);
    CHECK(w.chunks[0].cached == (r == 2 ? 112 : 0));
    CHECK(w.tokens == (r == 2 ? 408 : 520));
    CHECK(s.used_blocks() == 33);
    s.complete(at(static_cast<int>(r) + 1), done);
    CHECK(s.used_blocks() == 0);
  }
  CHECK(s.prefix_hit_tokens() == 112);
  CHECK(s.evictions() == 50);
  CHECK(done.size() == 3);
}

TEST_CASE("a prefix cache shares a block between running sequences", "[serving]") {
  // Two 520-token requests of one prefix admitted one iteration apart: the second finds the
  // 32 blocks the first entered when they were scheduled, and the two hold 33 + 1 blocks.
  SchedulerConfig c;
  PrefixIds ids(512);
  ids.add(std::vector<std::uint64_t>{0});
  ids.add(std::vector<std::uint64_t>{0});
  std::vector<SeqState> st(2);
  for (SeqState& s : st) {
    s.input = 520;
    s.output = 10;
  }
  ReplicaScheduler s(c, 100, st, {0, &ids});
  std::vector<std::uint32_t> done;
  s.enqueue(0);
  (void)s.schedule(at(0));
  s.complete(at(1), done);
  s.enqueue(1);
  const BatchWork& w = s.schedule(at(1));
  CHECK(w.tokens == 1 + 8);  // the first's decode, the second's 8 own tokens
  CHECK(s.used_blocks() == 34);
  CHECK(s.cached_prefix_blocks(1) == 32);
}

TEST_CASE("prefix caching with preemption, many requests: Little's law, same run twice",
          "[serving]") {
  IterationModel timer(cirrus::testing::llama8b_h100());
  ArrivalSpec a;
  a.kind = ArrivalKind::kPoisson;
  a.rate_per_s = 60;
  a.requests = 3000;
  LengthDist in, out;
  in.kind = LengthKind::kLognormal;
  in.median = 200;
  in.sigma = 1;
  in.max = 2000;
  out.kind = LengthKind::kUniform;
  out.min = 1;
  out.max = 400;
  auto requests = synthetic_requests(a, in, out, 5);
  const PrefixIds ids = synthetic_prefixes(requests, {8, 1000}, 5);
  for (const PreemptionMode mode : {PreemptionMode::kRecompute, PreemptionMode::kSwap}) {
    FleetConfig config;
    config.replicas = 3;
    config.router = RouterKind::kPrefixAffinity;
    config.blocks = 1200;  // tight: preemptions happen
    config.scheduler.preemption = mode;
    config.host_blocks = 300;
    config.swap_seconds_per_block = 4e-5;
    config.prefix = &ids;
    const FleetOutcome o = simulate_fleet(requests, config, timer);
    const ServingMetrics m = serving_metrics(requests, o, {}, config.blocks);
    check_little(m);
    CHECK(m.preemptions > 0);
    CHECK(m.prefix_hit_rate > 0.5);
    CHECK(m.prefix_evictions > 0);
    if (mode == PreemptionMode::kSwap) {
      CHECK(m.swaps > 0);
      CHECK(m.swap_ins == m.swaps);
    }
    const FleetOutcome again = simulate_fleet(requests, config, timer);
    CHECK(serving_metrics(requests, again, {}, config.blocks).prefix_hit_tokens ==
          m.prefix_hit_tokens);
    for (std::size_t i = 0; i < requests.size(); ++i) {
      REQUIRE(again.requests[i].finish == o.requests[i].finish);
      REQUIRE(again.requests[i].first_token == o.requests[i].first_token);
    }
  }
}

TEST_CASE("the prefix-affinity router keeps each prefix on one replica", "[serving]") {
  // Light load (one request every 200 ms, each done in a few iterations of 10 ms): after each
  // prefix's first request, the replica holding it is the longest match every time.
  auto requests = spaced(40, 0.2, 50, 3);
  PrefixIds ids(256);
  for (std::uint32_t i = 0; i < 40; ++i) ids.add(std::vector<std::uint64_t>{i % 2});
  for (Request& r : requests) r.input_len += 256;
  FleetConfig config;
  config.replicas = 4;
  config.router = RouterKind::kPrefixAffinity;
  config.blocks = 1000;
  config.prefix = &ids;
  cirrus::testing::FixedTimer timer(0.01);
  const FleetOutcome o = simulate_fleet(requests, config, timer);
  // The first prefix-0 request goes to replica 0 (all idle, lowest index); the first prefix-1
  // request arrives when replica 0 is idle again and nothing matches, so replica 0 too: both
  // prefixes then live there, and it stays the longest match.
  CHECK(o.replicas[0].requests == 40);
  const ServingMetrics m = serving_metrics(requests, o, {}, config.blocks);
  // Every request but the first of each prefix hits 16 blocks (256 tokens) of its 306.
  CHECK(m.prefix_hit_tokens == 38 * 256);

  // Under load, affinity holds a prefix to its replica until the imbalance bound: 2 replicas,
  // requests every 1 ms that run long. Replica 0 takes the first 33 (33 outstanding against 0
  // is more than the bound of 32), replica 1 the 34th, and from then both hold the prefix and
  // the one with fewer outstanding takes each.
  auto busy = spaced(100, 0.001, 50, 2000);
  for (Request& r : busy) r.input_len += 256;
  PrefixIds one(256);
  for (int i = 0; i < 100; ++i) one.add(std::vector<std::uint64_t>{0});
  config.replicas = 2;
  config.blocks = 100000;
  config.prefix = &one;
  const FleetOutcome b = simulate_fleet(busy, config, timer);
  CHECK(b.replicas[0].requests + b.replicas[1].requests == 100);
  CHECK(b.replicas[1].requests > 0);
  CHECK(b.replicas[0].requests >= 33);
  CHECK(b.replicas[0].requests - b.replicas[1].requests <=
        static_cast<std::int64_t>(kAffinityLoadBound) + 1);
}
