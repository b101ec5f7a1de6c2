// Prefill/decode disaggregation (models/serving/disagg_sim.hpp) against hand calculations: one
// request's TTFT and E2E from fixed iteration times and a link of known bandwidth and latency;
// the link's queue; decode replicas that wait for blocks; Little's law; determinism.
#include <catch2/catch.hpp>

#include "models/serving/arrivals.hpp"
#include "models/serving/disagg_sim.hpp"
#include "models/serving/kv_cache.hpp"
#include "tests/unit/models/serving/serving_fixtures.hpp"

using namespace cirrus;
using namespace cirrus::models;
using cirrus::testing::all_at_once;
using cirrus::testing::check_little;
using cirrus::testing::FixedTimer;

namespace {

DisaggConfig pools(int prefill, int decode) {
  DisaggConfig c;
  c.prefill_replicas = prefill;
  c.decode_replicas = decode;
  c.prefill_blocks = 100000;
  c.decode_blocks = 100000;
  c.kv_bytes_per_token = 131072;  // Llama 3 8B in bf16: 2 x 32 layers x 8 KV heads x 128 x 2 B
  c.link = {50e9, 10e-6};         // 50 GB/s, 10 us per transfer
  return c;
}

double seconds(sim::Time t) { return t.seconds(); }

}  // namespace

TEST_CASE("disaggregation, one request: TTFT is the prefill, E2E adds the transfer and decodes",
          "[serving]") {
  // 1000 prompt tokens, 11 output tokens. The prefill replica runs the prompt in one iteration
  // (1000 <= 8192 tokens) of 40 ms and samples the first token: TTFT = 40 ms (the first token
  // is returned from the prefill replica). The KV, 1000 x 131072 B = 131.072 MB, crosses a
  // 50 GB/s link in 2.62144 ms plus 10 us latency. The decode replica then runs the other 10
  // tokens in 10 iterations of 5 ms: E2E = 40 + 2.63144 + 50 = 92.63144 ms.
  FixedTimer prefill(0.040), decode(0.005);
  const auto requests = all_at_once(1, 1000, 11);
  const DisaggConfig c = pools(1, 1);
  const DisaggOutcome out = simulate_disagg(requests, c, prefill, decode);
  const double transfer = 1000.0 * 131072.0 / 50e9 + 10e-6;
  const SeqState& s = out.fleet.requests[0];
  CHECK(seconds(s.first_token) == Approx(0.040).epsilon(1e-9));
  CHECK(seconds(s.finish) == Approx(0.040 + transfer + 10 * 0.005).epsilon(1e-9));
  CHECK(prefill.calls == 1);
  CHECK(decode.calls == 10);
  REQUIRE(out.transfer_s.size() == 1);
  CHECK(out.transfer_s[0] == Approx(transfer).epsilon(1e-9));
  CHECK(out.transfer_bytes == Approx(1000.0 * 131072.0));
  const ServingMetrics m = serving_metrics(requests, out.fleet, {}, c.decode_blocks);
  CHECK(m.ttft.mean == Approx(0.040).epsilon(1e-9));
  CHECK(m.tpot.mean == Approx((transfer + 0.050) / 10).epsilon(1e-9));
  check_little(m);
}

TEST_CASE("disaggregation: a one-token request ends at its prefill replica", "[serving]") {
  FixedTimer prefill(0.040), decode(0.005);
  const auto requests = all_at_once(1, 100, 1);
  const DisaggOutcome out = simulate_disagg(requests, pools(1, 1), prefill, decode);
  CHECK(seconds(out.fleet.requests[0].finish) == Approx(0.040).epsilon(1e-9));
  CHECK(out.transfer_s.empty());
  CHECK(decode.calls == 0);
}

TEST_CASE("disaggregation: transfers to one decode replica queue on its link", "[serving]") {
  // Two 1000-token prompts arrive together at one prefill replica: both prefill in one
  // iteration (2000 <= 8192 tokens) and both transfers start at 40 ms on the same link. The
  // first lands at 40 + h + l, the second waits for the link: 40 + 2h + l, where
  // h = 131.072 MB / 50 GB/s = 2.62144 ms and l = 10 us.
  FixedTimer prefill(0.040), decode(0.005);
  const DisaggOutcome out = simulate_disagg(all_at_once(2, 1000, 2), pools(1, 1), prefill, decode);
  const double h = 1000.0 * 131072.0 / 50e9, l = 10e-6;
  REQUIRE(out.transfer_s.size() == 2);
  CHECK(out.transfer_s[0] == Approx(h + l).epsilon(1e-9));
  CHECK(out.transfer_s[1] == Approx(2 * h + l).epsilon(1e-9));
  // Each has one more token: one decode iteration after its KV lands (the first lands while
  // the decode replica is idle; the second while the first's decode runs, so it joins the
  // iteration after).
  CHECK(seconds(out.fleet.requests[0].finish) == Approx(0.040 + h + l + 0.005).epsilon(1e-9));
  CHECK(seconds(out.fleet.requests[1].finish) ==
        Approx(0.040 + h + l + 0.005 + 0.005).epsilon(1e-9));
}

TEST_CASE("disaggregation: a decode replica without free blocks makes arrivals wait", "[serving]") {
  // Decode replicas of 2 blocks of 16 tokens: one request of 16 + 17 tokens caches 32 tokens
  // (2 blocks) by its end, so two such requests cannot decode at once without preemption, and
  // every request still completes.
  FixedTimer prefill(0.010), decode(0.001);
  DisaggConfig c = pools(1, 1);
  c.decode_blocks = 2;
  const auto requests = all_at_once(4, 16, 17);
  const DisaggOutcome out = simulate_disagg(requests, c, prefill, decode);
  const ServingMetrics m = serving_metrics(requests, out.fleet, {}, c.decode_blocks);
  CHECK(m.completed == 4);
  CHECK(out.fleet.replicas[1].peak_blocks <= 2);
  check_little(m);
  // A request that cannot fit an empty decode replica is the caller's error.
  c.decode_blocks = 1;
  CHECK_THROWS_AS(simulate_disagg(requests, c, prefill, decode), std::logic_error);
}

TEST_CASE("disaggregation under Poisson load: Little's law, deterministic reruns", "[serving]") {
  IterationModel prefill_timer(cirrus::testing::llama8b_h100());
  IterationModel decode_timer(cirrus::testing::llama8b_h100());
  ArrivalSpec a;
  a.kind = ArrivalKind::kPoisson;
  a.rate_per_s = 30;
  a.requests = 3000;
  LengthDist in, out;
  in.kind = LengthKind::kLognormal;
  in.median = 800;
  in.sigma = 0.8;
  in.max = 4000;
  out.kind = LengthKind::kLognormal;
  out.median = 150;
  out.sigma = 0.8;
  out.max = 1000;
  const auto requests = synthetic_requests(a, in, out, 3);
  const DisaggConfig c = pools(2, 3);
  const DisaggOutcome first = simulate_disagg(requests, c, prefill_timer, decode_timer);
  const DisaggOutcome second = simulate_disagg(requests, c, prefill_timer, decode_timer);
  const ServingMetrics m = serving_metrics(requests, first.fleet, {}, c.decode_blocks);
  check_little(m);
  REQUIRE(first.fleet.requests.size() == second.fleet.requests.size());
  for (std::size_t i = 0; i < requests.size(); ++i) {
    CHECK(first.fleet.requests[i].finish == second.fleet.requests[i].finish);
  }
  // Every request but the one-token ones crossed the link once.
  std::size_t multi = 0;
  for (const Request& r : requests) multi += r.output_len > 1 ? 1 : 0;
  CHECK(first.transfer_s.size() == multi);
}
