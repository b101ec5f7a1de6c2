// The closed-form estimate of a disaggregated fleet (models/serving/disagg_estimate.hpp), by
// hand with a linear iteration time: a prefill iteration of T tokens takes 1 ms + 1 us x T, a
// decode iteration of n sequences 1 ms + 10 us x n.
#include <catch2/catch.hpp>
#include <cmath>

#include "models/serving/disagg_estimate.hpp"
#include "tests/unit/models/serving/serving_fixtures.hpp"

using namespace cirrus::models;
using cirrus::testing::LinearTimer;

namespace {

// 1,000-token prompts (p90 2,000), 101 output tokens, 400 requests/s.
WorkloadShape shape() {
  WorkloadShape w;
  w.rate_per_s = 400;
  w.mean_input = 1000;
  w.mean_output = 101;
  w.input_at_percentile = 2000;
  return w;
}

// Budget 4,096, max_num_seqs 256, KV caches far larger than any batch; 128 KiB of KV per token
// over a 100 GB/s link with 10 us per transfer.
DisaggPools pools() {
  DisaggPools p;
  p.prefill.scheduler.max_num_batched_tokens = 4096;
  p.prefill.scheduler.max_num_seqs = 256;
  p.prefill.kv_tokens = 1 << 24;
  p.decode = p.prefill;
  p.link = {100e9, 10e-6};
  p.kv_bytes_per_token = 131072;
  return p;
}

double p90_mm1(double rho, double service) { return service * std::log(rho / 0.1) / (1 - rho); }

}  // namespace

TEST_CASE("disaggregated estimate: the prefill pool by hand", "[serving]") {
  LinearTimer timer(1e-3, 1e-6);
  const WorkloadShape w = shape();
  const DisaggPools p = pools();
  // A busy prefill replica packs 4,096 / 1,000 = 4.096 prompts (4,096 tokens) per iteration of
  // 1 ms + 4.096 ms: S = 5.096 ms / 4.096 = 1.2441 ms per prompt, 803.8 prompts/s.
  const double service = 5.096e-3 / 4.096;
  CHECK(prefill_replica_capacity(timer, w, p.prefill) == Approx(1 / service).epsilon(1e-12));
  // One replica at 400/s: rho = 0.4977; TTFT = the p90 prompt alone (2,000 tokens: 3 ms) + the
  // M/M/1 p90 wait.
  const PoolEstimate one =
      estimate_prefill_pool(timer, w, p.prefill, own_prefill_seconds(timer, w, 4096), 1, 90);
  CHECK_FALSE(one.overloaded);
  CHECK(one.utilisation == Approx(400 * service).epsilon(1e-12));
  CHECK(one.latency_s == Approx(3e-3 + p90_mm1(400 * service, service)).epsilon(1e-12));
  CHECK(one.latency_s == Approx(6.974e-3).epsilon(1e-3));
  // Two replicas: 200/s each, rho 0.2488.
  const PoolEstimate two =
      estimate_prefill_pool(timer, w, p.prefill, own_prefill_seconds(timer, w, 4096), 2, 90);
  CHECK(two.latency_s == Approx(3e-3 + p90_mm1(200 * service, service)).epsilon(1e-12));
  CHECK(two.latency_s < one.latency_s);
  // At 900/s one replica is past its 803.8/s.
  WorkloadShape heavy = w;
  heavy.rate_per_s = 900;
  CHECK(
      estimate_prefill_pool(timer, heavy, p.prefill, own_prefill_seconds(timer, heavy, 4096), 1, 90)
          .overloaded);
}

TEST_CASE("disaggregated estimate: a prompt above the budget runs in chunks", "[serving]") {
  LinearTimer timer(1e-3, 1e-6);
  WorkloadShape w = shape();
  w.mean_input = 10000;
  const DisaggPools p = pools();
  // 10,000 tokens in chunks of 4,096, 4,096, 1,808: three iterations, 3 ms + 10 ms.
  CHECK(prefill_replica_capacity(timer, w, p.prefill) == Approx(1 / 13e-3).epsilon(1e-12));
}

TEST_CASE("disaggregated estimate: the decode pool by hand", "[serving]") {
  LinearTimer timer(1e-3, 1e-5);
  const WorkloadShape w = shape();
  const DisaggPools p = pools();
  // Largest batch: max_num_seqs 256. A request stays 100 decode iterations: a replica carries
  // n / (100 (1 ms + 10 us n)) requests/s, 400/s from n = 67 (66 gives 397.6).
  CHECK(decode_largest_batch(w, p.decode).batch == 256);
  const PoolEstimate one = estimate_decode_pool(timer, w, p, 1, 90);
  CHECK(one.batch == 67);
  const double t = 1e-3 + 67e-5;
  CHECK(one.iteration_s == Approx(t).epsilon(1e-12));
  // The KV of 1,000 tokens x 128 KiB = 131 MB holds the link 1.311 ms (rho 0.524 at 400/s) and
  // lands 10 us later; 67 Erlangs on 256 slots never wait. TPOT = t + (transfer + link wait +
  // t) / 100.
  const double hold = 1000 * 131072 / 100e9;
  const double expected = t + (hold + 10e-6 + p90_mm1(400 * hold, hold) + t) / 100;
  CHECK(one.latency_s == Approx(expected).epsilon(1e-9));
  // More decode replicas: a smaller batch, a shorter TPOT.
  const PoolEstimate two = estimate_decode_pool(timer, w, p, 2, 90);
  CHECK(two.batch < one.batch);  // 25 or 26: 25 carries exactly 200/s
  CHECK(two.latency_s < one.latency_s);
  // A link too slow for the load overloads the pool whatever its batch.
  DisaggPools slow = p;
  slow.link.bytes_per_s = 50e9;  // holds 2.62 ms x 400/s > 1
  CHECK(estimate_decode_pool(timer, w, slow, 1, 90).overloaded);
  CHECK_FALSE(estimate_decode_pool(timer, w, slow, 2, 90).overloaded);
  // One output token: nothing to decode.
  WorkloadShape single = w;
  single.mean_output = 1;
  const PoolEstimate none = estimate_decode_pool(timer, single, p, 1, 90);
  CHECK_FALSE(none.overloaded);
  CHECK(none.latency_s == 0);
}

TEST_CASE("disaggregated estimate: each pool sized for its own SLO", "[serving]") {
  LinearTimer prefill(1e-3, 1e-6), decode(1e-3, 1e-5);
  const WorkloadShape w = shape();
  const DisaggPools p = pools();
  // TTFT 5 ms: one prefill replica reaches 6.97 ms, two 4.51 ms. TPOT 1.5 ms: one decode
  // replica 1.745 ms, two 1.293 ms.
  Slo slo;
  slo.ttft_s = 5e-3;
  slo.tpot_s = 1.5e-3;
  const auto e = fewest_disagg(prefill, decode, w, p, slo, 90, 64);
  REQUIRE(e);
  CHECK(e->prefill.replicas == 2);
  CHECK(e->decode.replicas == 2);
  CHECK(e->transfer_s == Approx(1000 * 131072 / 100e9 + 10e-6).epsilon(1e-12));
  // Only a TTFT SLO: the decode pool is the fewest replicas not overloaded (one carries 400/s).
  Slo ttft_only;
  ttft_only.ttft_s = 5e-3;
  const auto t = fewest_disagg(prefill, decode, w, p, ttft_only, 90, 64);
  REQUIRE(t);
  CHECK(t->prefill.replicas == 2);
  CHECK(t->decode.replicas == 1);
  // The ratio follows the load's shape: twice the prompt at half the output moves replicas from
  // the decode pool to the prefill pool.
  WorkloadShape prompt_heavy = w;
  prompt_heavy.mean_input = 2000;
  prompt_heavy.mean_output = 51;
  const auto h = fewest_disagg(prefill, decode, prompt_heavy, p, slo, 90, 64);
  REQUIRE(h);
  CHECK(h->prefill.replicas > e->prefill.replicas);
  CHECK(h->decode.replicas <= e->decode.replicas);
  // An SLO below the unloaded prompt: no pool size meets it; the estimate at the cap says why.
  Slo tight;
  tight.ttft_s = 1e-3;
  DisaggEstimate at_max;
  CHECK_FALSE(fewest_disagg(prefill, decode, w, p, tight, 90, 64, &at_max));
  CHECK(at_max.prefill.replicas == 64);
  CHECK(at_max.prefill.latency_s > 1e-3);
}

TEST_CASE("disaggregated estimate: latency never grows with replicas", "[serving]") {
  LinearTimer prefill(1e-3, 1e-6), decode(1e-3, 1e-5);
  const DisaggPools p = pools();
  for (const double rate : {50.0, 400.0, 2000.0}) {
    WorkloadShape w = shape();
    w.rate_per_s = rate;
    double last_ttft = INFINITY, last_tpot = INFINITY;
    for (int r = 1; r <= 32; ++r) {
      const PoolEstimate pre = estimate_prefill_pool(prefill, w, p.prefill,
                                                     own_prefill_seconds(prefill, w, 4096), r, 90);
      const PoolEstimate dec = estimate_decode_pool(decode, w, p, r, 90);
      INFO("rate " << rate << ", replicas " << r);
      CHECK(pre.latency_s <= last_ttft);
      CHECK(dec.latency_s <= last_tpot);
      last_ttft = pre.latency_s;
      last_tpot = dec.latency_s;
    }
  }
}

TEST_CASE("disaggregated estimate: TTFT is a percentile of the prefill and the wait together",
          "[serving]") {
  LinearTimer timer(1e-3, 1e-6);
  const double service = 5.096e-3 / 4.096;  // the packed prompt of the first test case
  const double rho = 400 * service;
  // One prompt length and an exponential service (c^2 = 1, M/M/1): the p90 of X + W is X + W's
  // own p90.
  const std::vector<double> one{3e-3};
  CHECK(first_token_percentile(one, rho, service, 1, 90) ==
        Approx(3e-3 + p90_mm1(rho, service)).epsilon(1e-9));
  // Half the prompts 500 tokens (1.5 ms alone), half 1,500 (2.5 ms): x solves
  // (P(W > x - 1.5 ms) + P(W > x - 2.5 ms)) / 2 = 0.1, P(W > y) = rho exp(-(1 - rho) y / S).
  std::vector<double> two(10, 1.5e-3);
  two.insert(two.end(), 10, 2.5e-3);
  const double x = first_token_percentile(two, rho, service, 1, 90);
  auto above = [&](double y) { return y < 0 ? 1.0 : rho * std::exp(-(1 - rho) * y / service); };
  CHECK((above(x - 1.5e-3) + above(x - 2.5e-3)) / 2 == Approx(0.1).epsilon(1e-6));
  // Below the sum of the two p90s (2.5 ms + W's p90): both tails at once is rarer than 10%.
  CHECK(x < 2.5e-3 + p90_mm1(rho, service));
  CHECK(x > 2.5e-3);
  // The workload's quantiles give the prompts' own times.
  WorkloadShape w = shape();
  w.input_quantiles.assign(10, 500);
  w.input_quantiles.insert(w.input_quantiles.end(), 10, 1500);
  const std::vector<double> own = own_prefill_seconds(timer, w, 4096);
  REQUIRE(own.size() == two.size());
  for (std::size_t k = 0; k < own.size(); ++k) CHECK(own[k] == Approx(two[k]).epsilon(1e-12));
  // Idle (rho 0): the p90 of X alone, here the longer prompt.
  CHECK(first_token_percentile(two, 0, service, 1, 90) == Approx(2.5e-3).epsilon(1e-9));
  // A steadier service (lognormal prompts of sigma 0.5: c^2 = e^0.25 - 1 = 0.284) waits less:
  // T = S (1 + c^2) / (2 (1 - rho)), so W's p90 is T ln(rho / 0.1), 0.642 of the M/M/1's.
  const double cv2 = std::exp(0.25) - 1;
  const double t_scale = service * (1 + cv2) / (2 * (1 - rho));
  CHECK(first_token_percentile(one, rho, service, cv2, 90) ==
        Approx(3e-3 + t_scale * std::log(rho / 0.1)).epsilon(1e-9));
  CHECK(first_token_percentile(one, rho, service, cv2, 90) <
        first_token_percentile(one, rho, service, 1, 90));
}
