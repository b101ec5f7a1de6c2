// The closed-form fleet estimate of a serving plan (models/serving/fleet_estimate.hpp), against
// hand calculations with a fixed 10 ms iteration, and the M/M/c wait against textbook values.
#include <catch2/catch.hpp>
#include <cmath>

#include "models/serving/fleet_estimate.hpp"
#include "tests/unit/models/serving/serving_fixtures.hpp"

using namespace cirrus::models;
using cirrus::testing::FixedTimer;
using cirrus::testing::LinearTimer;

namespace {

// 100-token prompts, 11 output tokens, max_num_seqs 64, a budget of 8192 and a KV cache far
// larger than the batch.
WorkloadShape shape(double rate) {
  WorkloadShape w;
  w.rate_per_s = rate;
  w.mean_input = 100;
  w.mean_output = 11;
  w.input_at_percentile = 100;
  return w;
}

ReplicaShape replica() {
  ReplicaShape r;
  r.scheduler.max_num_seqs = 64;
  r.scheduler.max_num_batched_tokens = 8192;
  r.kv_tokens = 1 << 20;
  return r;
}

}  // namespace

TEST_CASE("M/M/c percentile waits match the textbook", "[serving]") {
  // M/M/1 at rho 0.5 (service 1 s): P(W > w) = rho exp(-(mu - lambda) w), so the p90 wait is
  // ln(0.5 / 0.1) / 0.5 = 3.2189 s.
  CHECK(mmc_wait_percentile(1, 0.5, 1.0, 90) == Approx(2.0 * std::log(5.0)).epsilon(1e-12));
  // M/M/2 with a = 1 Erlang: Erlang C = a^2 / (2 + a) / ... = 1/3; the p90 wait is
  // ln((1/3) / 0.1) / (2 - 1) = 1.2040 s.
  CHECK(mmc_wait_percentile(2, 1.0, 1.0, 90) == Approx(std::log(10.0 / 3.0)).epsilon(1e-12));
  // Waiting less often than the tail: no wait at that percentile; at capacity: unbounded.
  CHECK(mmc_wait_percentile(64, 100, 0.11, 90) == 0);
  CHECK(std::isinf(mmc_wait_percentile(2, 2.0, 1.0, 90)));
}

TEST_CASE("the fleet estimate by hand with a fixed iteration time", "[serving]") {
  FixedTimer timer(0.01);
  const ReplicaShape r = replica();
  // Largest batch: max_num_seqs 64 (the budget allows 8192 / (1 + 100/11) = 811, the KV cache
  // far more).
  const BatchLimit limit = largest_batch(shape(1), r);
  CHECK(limit.batch == 64);
  CHECK(std::string(limit.by) == "max_num_seqs");
  // A request stays 1 prefill + 10 decode iterations = 0.11 s: 64 / 0.11 = 581.8 requests/s.
  CHECK(replica_capacity(timer, shape(1), r) == Approx(64.0 / 0.11).epsilon(1e-12));

  // 100 requests/s on one replica: the smallest batch carrying it is ceil(100 x 0.11) = 11;
  // TPOT one iteration, 10 ms; TTFT the running iteration and one prefill chunk, 20 ms (11
  // Erlangs on 64 slots almost never wait; the prefill budget is 1.2% busy).
  const FleetEstimate e = estimate_fleet(timer, shape(100), r, 1, 90);
  CHECK_FALSE(e.overloaded);
  CHECK(e.batch == 11);
  CHECK(e.tpot_s == Approx(0.01));
  CHECK(e.ttft_s == Approx(0.02));
  CHECK(e.utilisation == Approx(11.0 / 64));
  // A fixed iteration time gives a prompt nothing to add beside the decodes (D = 0): the prompts
  // take none of the time.
  CHECK(e.prefill_share == 0);

  // 990 requests/s: one replica is overloaded (581.8/s); two carry 495/s each at a batch of
  // ceil(495 x 0.11) = 55, where 54.45 Erlangs on 64 slots wait with probability 0.1454
  // (Erlang C), a p90 wait of ln(1.454) / (64 / 0.11 - 495) = 4.31 ms: TTFT 24.31 ms.
  CHECK(estimate_fleet(timer, shape(990), r, 1, 90).overloaded);
  const FleetEstimate two = estimate_fleet(timer, shape(990), r, 2, 90);
  CHECK(two.batch == 55);
  CHECK(two.ttft_s == Approx(0.02 + 0.0043117181).epsilon(1e-6));
  // Three replicas: 330/s each, 36.3 Erlangs, no p90 wait: 20 ms.
  CHECK(estimate_fleet(timer, shape(990), r, 3, 90).ttft_s == Approx(0.02));

  Slo slo;
  slo.ttft_s = 0.025;
  slo.tpot_s = 0.05;
  auto fewest = fewest_replicas(timer, shape(990), r, slo, 90, 256);
  REQUIRE(fewest);
  CHECK(fewest->replicas == 2);
  slo.ttft_s = 0.024;  // under two replicas' 24.3 ms
  fewest = fewest_replicas(timer, shape(990), r, slo, 90, 256);
  REQUIRE(fewest);
  CHECK(fewest->replicas == 3);
  // Under the unloaded 20 ms no count helps; the estimate at the cap is reported.
  slo.ttft_s = 0.019;
  FleetEstimate at_max;
  CHECK_FALSE(fewest_replicas(timer, shape(990), r, slo, 90, 256, &at_max));
  CHECK(at_max.replicas == 256);
  CHECK(unloaded_ttft(timer, 100, 8192) == Approx(0.01));
  CHECK(unloaded_ttft(timer, 10000, 4096) == Approx(0.03));  // three chunks
}

TEST_CASE("the fleet estimate's TPOT tail: the prompts a request's life meets", "[serving]") {
  // An iteration of T tokens takes 1 ms + 1 us x T. Beside n decodes (t_d = 1 ms + n us) a
  // 100-token prompt's one chunk adds D = 100 us. 100 requests/s of 100-token prompts
  // (E[I^2] = 2 x 100^2: lengths spread) and 11 output tokens on one replica.
  LinearTimer timer(1e-3, 1e-6);
  WorkloadShape w = shape(100);
  w.mean_input_squared = 2e4;
  const ReplicaShape r = replica();
  const FleetEstimate p90 = estimate_fleet(timer, w, r, 1, 90);
  REQUIRE_FALSE(p90.overloaded);
  // A replica carries n / (11 t_d + n D) requests/s: 100/s from n = 2 (1 gives 89.3).
  CHECK(p90.batch == 2);
  const double t_decode = 1e-3 + 2e-6, d = 1e-4;
  // Prompts take 100/s x D = 1% of the time: the mean iteration is t_d / 0.99.
  const double t = t_decode / (1 - 100 * d);
  CHECK(p90.iteration_s == Approx(t).epsilon(1e-12));
  CHECK(p90.prefill_share == Approx(0.01).epsilon(1e-9));
  // A request decodes 10 iterations (life L = 10 t); the prompts arriving in it add
  // 100/s x L x D on average, with variance 100/s x L x D^2 x 2; p90 is 1.2816 sd above.
  const double life = 10 * t;
  const double added = 100 * life * d + 1.2816 * d * std::sqrt(100 * life * 2);
  CHECK(p90.tpot_s == Approx(t_decode + added / 10).epsilon(1e-9));
  // At p50 the sum is its mean: TPOT is the mean iteration. The tail grows with p.
  const FleetEstimate p50 = estimate_fleet(timer, w, r, 1, 50);
  const FleetEstimate p99 = estimate_fleet(timer, w, r, 1, 99);
  CHECK(p50.tpot_s == Approx(p50.iteration_s).epsilon(1e-9));
  CHECK(p50.tpot_s < p90.tpot_s);
  CHECK(p90.tpot_s < p99.tpot_s);
  // Without spread in the lengths (E[I^2] = I^2) the tail is narrower.
  w.mean_input_squared = 0;
  CHECK(estimate_fleet(timer, w, r, 1, 90).tpot_s < p90.tpot_s);
}

TEST_CASE("the fleet estimate: a prompt's iteration is not spread over the decodes", "[serving]") {
  // A roofline timer: an iteration reads 10 ms of weights whatever its size, and computes
  // 10 us per token; its time is the larger. n decodes alone are memory-bound (10 ms); a
  // 2,000-token prompt beside them is compute-bound (10 us x (n + 2,000)). Spreading the prompt
  // over every iteration would hide its compute under the weight reads.
  class Roofline final : public IterationTimer {
   public:
    double seconds(const BatchWork& work) override {
      return std::max(10e-3, 10e-6 * static_cast<double>(work.tokens));
    }
  } timer;
  WorkloadShape w;
  w.rate_per_s = 20;
  w.mean_input = 2000;
  w.mean_output = 101;
  w.input_at_percentile = 2000;
  const ReplicaShape r = replica();
  const FleetEstimate e = estimate_fleet(timer, w, r, 1, 50);
  REQUIRE_FALSE(e.overloaded);
  // At batch n: t_d = 10 ms; the prompt's iteration takes 10 us x (n + 2,000), so D = 10 us x
  // (n + 2,000) - 10 ms, about 10.3 ms. Prompts take 20/s x D of the time and the mean
  // iteration is t_d / (1 - 20 D), about 12.6 ms: above the 10 ms that a thinly spread prompt
  // (20 x 2,000 tokens/s x 10 ms = 400 tokens per iteration beside the decodes, still
  // memory-bound) would give.
  const int n = e.batch;
  const double d = 10e-6 * (n + 2000) - 10e-3;
  CHECK(e.iteration_s == Approx(10e-3 / (1 - 20 * d)).epsilon(1e-12));
  CHECK(e.iteration_s > 0.012);
  // Little's law: n = 20/s x (1 + 100) iterations x t, the smallest whole batch that carries it.
  CHECK(n == static_cast<int>(std::ceil(20 * 101 * e.iteration_s - 1e-9)));
}
