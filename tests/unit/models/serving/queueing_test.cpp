// Queueing sanity of the fleet simulation, each against a hand calculation: one replica serving
// one request at a time under Poisson arrivals is an M/D/1 queue; overloaded replicas saturate
// at what the batch, the KV cache or the token budget allows; Little's law holds on every run.
#include <catch2/catch.hpp>
#include <cmath>

#include "models/serving/arrivals.hpp"
#include "models/serving/kv_cache.hpp"
#include "tests/unit/models/serving/serving_fixtures.hpp"

using namespace cirrus;
using namespace cirrus::models;
using cirrus::testing::all_at_once;
using cirrus::testing::check_little;
using cirrus::testing::FixedTimer;

namespace {

ServingMetrics run(const std::vector<Request>& requests, const FleetConfig& config,
                   IterationTimer& timer, const Slo& slo = {}) {
  const FleetOutcome out = simulate_fleet(requests, config, timer);
  return serving_metrics(requests, out, slo, config.blocks);
}

FleetConfig one_replica(int max_seqs, std::int64_t blocks) {
  FleetConfig c;
  c.replicas = 1;
  c.scheduler.max_num_seqs = max_seqs;
  c.blocks = blocks;
  return c;
}

}  // namespace

TEST_CASE("one replica, one request at a time, Poisson arrivals: the M/D/1 mean wait",
          "[serving]") {
  // Fixed lengths make every request's service the same D: one prefill iteration (128 prompt
  // tokens, giving the first token) and 15 decode iterations at growing contexts, each timed by
  // the real model (Llama 3 8B, one H100, datasheet figures). D is taken from one request alone.
  IterationModel timer(cirrus::testing::llama8b_h100());
  const FleetConfig config = one_replica(1, 100000);
  const auto alone = simulate_fleet(all_at_once(1, 128, 16), config, timer);
  const double d = (alone.requests[0].finish - sim::Time::zero()).seconds();
  REQUIRE(d > 0);

  for (const double rho : {0.5, 0.8}) {
    // Pollaczek-Khinchine for deterministic service: Wq = lambda D^2 / (2 (1 - rho)),
    // with lambda = rho / D.
    const double lambda = rho / d;
    const double expected_wait = lambda * d * d / (2.0 * (1.0 - rho));
    ArrivalSpec a;
    a.kind = ArrivalKind::kPoisson;
    a.rate_per_s = lambda;
    a.requests = 200000;
    LengthDist in, out;
    in.value = 128;
    out.value = 16;
    const auto requests = synthetic_requests(a, in, out, 7);
    const ServingMetrics m = run(requests, config, timer);
    INFO("rho " << rho << ": D " << d << " s, mean wait " << m.queueing.mean << " s, M/D/1 "
                << expected_wait << " s");
    CHECK(std::abs(m.queueing.mean - expected_wait) / expected_wait < 0.02);
    // Every service took exactly D: E2E = wait + D for each request.
    CHECK(m.e2e.mean == Approx(m.queueing.mean + d).epsilon(1e-9));
    // The server is busy a fraction rho of the time (to the sample's arrival rate).
    CHECK(m.busy_fraction == Approx(m.little.arrival_rate * d).epsilon(1e-9));
    check_little(m);
  }
}

TEST_CASE("overloaded, a replica saturates at max_num_seqs per cycle of iterations", "[serving]") {
  // B = 4 slots, 400 requests at t = 0, every iteration tau. The batch runs in lockstep: one
  // iteration prefills four prompts and samples their first tokens, seven more decode the other
  // seven tokens, then all four finish and the next four are admitted. So 4 requests per 8 tau:
  // throughput = B / (output x tau) = 4 / (8 x 10 ms) = 50 requests/s, exactly.
  FixedTimer timer(0.010);
  const ServingMetrics m = run(all_at_once(400, 16, 8), one_replica(4, 100000), timer);
  CHECK(m.requests_per_s == Approx(4.0 / (8 * 0.010)).epsilon(1e-9));
  CHECK(timer.calls == 100 * 8);
  CHECK(m.busy_fraction == Approx(1.0));
  CHECK(m.preemptions == 0);
  check_little(m);
}

TEST_CASE("overloaded, a small KV cache bounds the batch below max_num_seqs", "[serving]") {
  // 32-token prompts, one output token: each request caches 32 tokens = 2 blocks of 16. With
  // 6 blocks, 3 requests run per iteration though max_num_seqs is 8: 3 / tau.
  FixedTimer timer(0.010);
  FleetConfig config = one_replica(8, 6);
  const ServingMetrics m = run(all_at_once(300, 32, 1), config, timer);
  CHECK(m.requests_per_s == Approx(3.0 / 0.010).epsilon(1e-9));
  CHECK(m.kv_peak_blocks == 6);
  CHECK(m.preemptions == 0);
  check_little(m);
}

TEST_CASE("overloaded, the token budget bounds the batch", "[serving]") {
  // The same requests with max_num_batched_tokens 64: two 32-token prompts per iteration.
  FixedTimer timer(0.010);
  FleetConfig config = one_replica(8, 1000);
  config.scheduler.max_num_batched_tokens = 64;
  const ServingMetrics m = run(all_at_once(300, 32, 1), config, timer);
  CHECK(m.requests_per_s == Approx(2.0 / 0.010).epsilon(1e-9));
  check_little(m);
}

TEST_CASE("overloaded with the real iteration model: B over one lockstep cycle", "[serving]") {
  // Four 64-token prompts with 8 output tokens each, all at t = 0, max_num_seqs 4. One cycle is
  // the prefill iteration (four 64-token chunks, nothing cached) plus seven decode iterations of
  // four sequences with 64, 65, ..., 70 tokens cached; each iteration rounds up to a picosecond.
  IterationModel timer(cirrus::testing::llama8b_h100());
  BatchWork prefill;
  for (int i = 0; i < 4; ++i) prefill.add(64, 0, true);
  double cycle = sim::Time::from_seconds(timer.seconds(prefill)).seconds();
  for (int k = 0; k < 7; ++k) {
    BatchWork decode;
    for (int i = 0; i < 4; ++i) decode.add(1, 64 + k, false);
    cycle += sim::Time::from_seconds(timer.seconds(decode)).seconds();
  }
  const ServingMetrics m = run(all_at_once(40, 64, 8), one_replica(4, 100000), timer);
  CHECK(m.requests_per_s == Approx(4.0 / cycle).epsilon(1e-9));
  // A decode of four sequences cannot beat reading the weights once (16 GB at 3.35 TB/s).
  const double weights = weight_bytes_per_gpu(*find_model("llama3-8b"), ServingNumerics{}, 1);
  CHECK(cycle > 8 * weights / find_gpu("h100-sxm")->memory_bw);
  check_little(m);
}

TEST_CASE("a KV cache too small for the batch preempts by recompute and still finishes",
          "[serving]") {
  // 16-token prompts growing to 79 cached tokens (5 blocks each at the end) while 12 blocks
  // admit eight: the youngest are preempted, re-prefilled later, and every request finishes.
  FixedTimer timer(0.001);
  const FleetConfig config = one_replica(8, 12);
  const auto requests = all_at_once(50, 16, 64);
  const FleetOutcome out = simulate_fleet(requests, config, timer);
  const ServingMetrics m = serving_metrics(requests, out, {}, config.blocks);
  CHECK(m.preemptions > 0);
  CHECK(m.kv_peak_blocks <= 12);
  for (const SeqState& s : out.requests) {
    CHECK(s.generated == 64);
    CHECK(s.blocks == 0);
  }
  check_little(m);

  SECTION("also without chunked prefill") {
    FleetConfig off = config;
    off.scheduler.chunked_prefill = false;
    const ServingMetrics m2 = run(requests, off, timer);
    CHECK(m2.preemptions > 0);
    check_little(m2);
  }
}

TEST_CASE("many replicas behind each router: Little's law and the load split", "[serving]") {
  IterationModel timer(cirrus::testing::llama8b_h100());
  ArrivalSpec a;
  a.kind = ArrivalKind::kGamma;
  a.rate_per_s = 40;
  a.cv = 3;
  a.requests = 4000;
  LengthDist in, out;
  in.kind = LengthKind::kLognormal;
  in.median = 400;
  in.sigma = 1;
  in.max = 8000;
  out.kind = LengthKind::kUniform;
  out.min = 1;
  out.max = 300;
  const auto requests = synthetic_requests(a, in, out, 3);
  for (const RouterKind router : {RouterKind::kRoundRobin, RouterKind::kLeastOutstanding}) {
    FleetConfig config;
    config.replicas = 4;
    config.router = router;
    config.blocks = 20000;
    const FleetOutcome o = simulate_fleet(requests, config, timer);
    const ServingMetrics m = serving_metrics(requests, o, {}, config.blocks);
    check_little(m);
    std::int64_t routed = 0;
    for (const ReplicaStats& r : o.replicas) routed += r.requests;
    CHECK(routed == 4000);
    if (router == RouterKind::kRoundRobin) CHECK(o.replicas[0].requests == 1000);
  }
}

TEST_CASE("the same seed gives the same run", "[serving]") {
  IterationModel timer(cirrus::testing::llama8b_h100());
  ArrivalSpec a;
  a.kind = ArrivalKind::kPoisson;
  a.rate_per_s = 30;
  a.requests = 2000;
  LengthDist in, out;
  in.kind = LengthKind::kLognormal;
  in.median = 300;
  in.sigma = 0.8;
  in.max = 4000;
  out.value = 100;
  FleetConfig config;
  config.replicas = 2;
  config.blocks = 3000;
  const auto first = simulate_fleet(synthetic_requests(a, in, out, 11), config, timer);
  const auto second = simulate_fleet(synthetic_requests(a, in, out, 11), config, timer);
  REQUIRE(first.requests.size() == second.requests.size());
  for (std::size_t i = 0; i < first.requests.size(); ++i) {
    CHECK(first.requests[i].finish == second.requests[i].finish);
    CHECK(first.requests[i].first_token == second.requests[i].first_token);
  }
  CHECK(first.in_system_integral_s == second.in_system_integral_s);
}
