// The Monte-Carlo replay against Daly's analytic expectation.
#include <catch2/catch.hpp>
#include <cmath>

#include "pricing/monte_carlo.hpp"

namespace {

using namespace cirrus::pricing;

MonteCarloInput whole_intervals() {
  MonteCarloInput in;
  in.work_s = 100000;  // 100 intervals of 1000 s exactly
  in.interval_s = 1000;
  in.checkpoint_s = 50;
  in.restart_s = 300;
  in.mtbi_s = 5000;
  in.usd_per_hour = 36.0;
  in.trials = 4000;
  in.seed = 42;
  return in;
}

}  // namespace

TEST_CASE("the Monte-Carlo mean agrees with Daly's expectation within 3 standard errors",
          "[pricing]") {
  const MonteCarloInput in = whole_intervals();
  const MonteCarloResult r = monte_carlo(in);
  REQUIRE(r.completed);
  // 5000 e^(300/5000) (e^(1050/5000) - 1) x 100.
  CHECK(r.analytic_run_time_s == Approx(124063.95209394384));
  CHECK(std::fabs(r.run_time_s.mean - r.analytic_run_time_s) < 3 * r.run_time_s.std_error);
  CHECK(r.run_time_s.std_error == Approx(r.run_time_s.stddev / std::sqrt(4000.0)));
  CHECK(r.run_time_s.p5 <= r.run_time_s.p50);
  CHECK(r.run_time_s.p50 <= r.run_time_s.p95);
  CHECK(r.run_time_s.min >= in.work_s + 100 * in.checkpoint_s);
  CHECK(r.cost_usd.mean == Approx(r.run_time_s.mean * 36.0 / 3600));
  // Interruptions arrive at 1/M over the whole wall-clock time.
  CHECK(std::fabs(r.interruptions.mean - r.run_time_s.mean / in.mtbi_s) <
        3 * r.interruptions.std_error + 0.05);
}

TEST_CASE("the replay is deterministic for a seed", "[pricing]") {
  MonteCarloInput in = whole_intervals();
  in.trials = 200;
  const MonteCarloResult a = monte_carlo(in);
  const MonteCarloResult b = monte_carlo(in);
  CHECK(a.run_time_s.mean == b.run_time_s.mean);
  CHECK(a.run_time_s.p95 == b.run_time_s.p95);
  in.seed = 43;
  CHECK(monte_carlo(in).run_time_s.mean != a.run_time_s.mean);
}

TEST_CASE("without interruptions every trial takes the work time", "[pricing]") {
  MonteCarloInput in = whole_intervals();
  in.mtbi_s = 0;
  const MonteCarloResult r = monte_carlo(in);
  CHECK(r.run_time_s.mean == in.work_s);
  CHECK(r.run_time_s.stddev == 0);
  CHECK(r.cost_usd.mean == in.work_s * 36.0 / 3600);
}

TEST_CASE("the notice replay agrees with its expectation", "[pricing]") {
  MonteCarloInput in;
  in.work_s = 200000;
  in.checkpoint_s = 30;
  in.restart_s = 300;
  in.mtbi_s = 20000;
  in.on_notice = true;
  in.usd_per_hour = 1;
  in.trials = 4000;
  in.seed = 7;
  const MonteCarloResult r = monte_carlo(in);
  REQUIRE(r.completed);
  // The model charges a full C when an interruption falls less than C into a work phase
  // (probability ~C/M): allow that bias on top of the statistical spread.
  CHECK(std::fabs(r.run_time_s.mean - r.analytic_run_time_s) <
        3 * r.run_time_s.std_error + 1e-3 * r.analytic_run_time_s);
}

TEST_CASE("the replay of an estimated spot run", "[pricing]") {
  CostInput in;
  in.step_time_s = 5;
  in.tokens_per_step = 4e6;
  in.total_tokens = 4e10;  // 10000 steps
  in.nodes = 64;
  in.prices.spot = 20;
  in.provider = "aws";
  in.checkpoint_bytes = 2e12;
  in.interruptions_per_instance_hour[index_of(PricingModel::kSpot)] = advisor_bucket_rate(3);
  const CostEstimate e = estimate_cost(in);
  const RunCost& spot = *e.run(PricingModel::kSpot);
  const MonteCarloResult r = monte_carlo(monte_carlo_input(spot, e, 3000, 1));
  REQUIRE(r.completed);
  CHECK(r.analytic_run_time_s == Approx(spot.run_time_s));
  // The work is not a whole number of intervals: the replay's last interval is shorter than the
  // formula's prorated one, so its mean may sit a little below; within 3 standard errors plus
  // one interval's worth.
  CHECK(r.run_time_s.mean <= spot.run_time_s + 3 * r.run_time_s.std_error);
  CHECK(r.run_time_s.mean >=
        spot.run_time_s - 3 * r.run_time_s.std_error - *spot.checkpoint.interval_s);
  CHECK(r.cost_usd.mean == Approx(r.run_time_s.mean * spot.usd_per_hour / 3600));
}

TEST_CASE("runaway interruptions are reported, not looped on", "[pricing]") {
  MonteCarloInput in = whole_intervals();
  in.mtbi_s = 1;  // an interruption a second against 1050-second intervals
  const MonteCarloResult r = monte_carlo(in);
  CHECK_FALSE(r.completed);
  CHECK_THROWS_AS(monte_carlo(MonteCarloInput{.trials = 0}), std::invalid_argument);
}
