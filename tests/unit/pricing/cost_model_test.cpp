// The cost model against hand calculations: Young's and Daly's intervals, Daly's expected time,
// zero interruptions, prices not offered, storage, egress and energy.
#include <catch2/catch.hpp>
#include <cmath>

#include "pricing/cost_model.hpp"

namespace {

using namespace cirrus::pricing;

CostInput base_input() {
  CostInput in;
  in.step_time_s = 2.0;
  in.tokens_per_step = 1e6;
  in.total_tokens = 1e9;  // 1000 steps, 2000 s of work
  in.nodes = 4;
  in.prices.on_demand = 10.0;
  in.prices.spot = 3.0;
  in.prices.committed_1y = 6.5;
  in.provider = "aws";
  in.checkpoint_bytes = 1e12;
  return in;
}

}  // namespace

TEST_CASE("Young's and Daly's intervals match the hand calculation", "[pricing]") {
  // C = 100 s, M = 10000 s: Young sqrt(2 C M) = 1414.2136; Daly multiplies by
  // 1 + sqrt(C/2M)/3 + (C/2M)/9 = 1.0241258 and subtracts C: 1348.3326.
  CHECK(young_interval_s(100, 10000) == Approx(1414.213562373095));
  CHECK(daly_interval_s(100, 10000) == Approx(1348.332569907747));
  // C >= 2M: checkpoint once per M.
  CHECK(daly_interval_s(300, 100) == 100);
  // E[T] = M e^(R/M) (e^((tau+C)/M) - 1) W / tau, R = 600, W = 36000.
  CHECK(daly_expected_time_s(36000, 1348.332569907747, 100, 600, 10000) ==
        Approx(44183.60044290497));
  // Exponent overflow: the job never finishes.
  CHECK(std::isinf(daly_expected_time_s(36000, 1e6, 100, 600, 10)));
}

TEST_CASE("as the interruption rate grows the interval shortens and the run lengthens",
          "[pricing]") {
  double last_interval = INFINITY;
  double last_young = INFINITY;
  double last_time = 0;
  for (const double rate : {1e-5, 1e-4, 1e-3, 1e-2}) {
    CostInput in = base_input();
    in.total_tokens = 1e11;  // 100000 steps: long enough for several interruptions
    in.align_interval_to_steps = false;
    in.interruptions_per_instance_hour[index_of(PricingModel::kSpot)] = rate;
    const CostEstimate e = estimate_cost(in);
    const RunCost& spot = *e.run(PricingModel::kSpot);
    INFO("rate " << rate);
    REQUIRE(spot.checkpoint.daly_interval_s.has_value());
    CHECK(*spot.checkpoint.daly_interval_s < last_interval);
    CHECK(*spot.checkpoint.young_interval_s < last_young);
    CHECK(spot.run_time_s > last_time);
    CHECK(spot.run_time_s > e.work_s);
    // Daly's M = 3600 / (rate x 4 nodes); C = 1e12 B / (4 x 1.2 GB/s).
    const double mtbi = 3600.0 / (rate * 4);
    const double write = 1e12 / 4.8e9;
    CHECK(*spot.checkpoint.mtbi_s == Approx(mtbi));
    CHECK(spot.checkpoint.write_s == Approx(write));
    CHECK(spot.checkpoint.restart_s == Approx(kDefaultRestartS + write));
    CHECK(*spot.checkpoint.daly_interval_s == Approx(daly_interval_s(write, mtbi)));
    CHECK(spot.run_time_s == Approx(daly_expected_time_s(e.work_s, *spot.checkpoint.interval_s,
                                                         write, kDefaultRestartS + write, mtbi)));
    CHECK(spot.usd_total == Approx(3.0 * 4 * spot.run_time_s / 3600));
    CHECK(spot.expected_interruptions == Approx(spot.run_time_s / mtbi));
    CHECK(spot.lost_s == Approx(spot.run_time_s - e.work_s - spot.checkpoint_overhead_s));
    last_interval = *spot.checkpoint.daly_interval_s;
    last_young = *spot.checkpoint.young_interval_s;
    last_time = spot.run_time_s;
  }
}

TEST_CASE("the spot run by hand at three interruption rates", "[pricing]") {
  // 4 nodes, 1 TB checkpoint over 4 x 1.2 GB/s: C = 1e12 / 4.8e9 = 208.333 s; restart
  // R = 600 + C = 808.333 s; W = 100000 steps x 2 s = 200000 s; spot 3 $/h x 4 nodes.
  // M = 3600 / (rate x 4); Young sqrt(2 C M); Daly sqrt(2 C M) (1 + sqrt(C/2M)/3 + C/18M) - C;
  // E[T] = M e^(R/M) (e^((tau+C)/M) - 1) W / tau.
  struct Row {
    double rate, mtbi, young, daly, time;
  };
  const Row rows[] = {
      // rate 1e-4: M = 9e6 s, sqrt(2 x 208.333 x 9e6) = sqrt(3.75e9) = 61237.24 s
      {1e-4, 9.0e6, 61237.243569579456, 61098.43343228979, 201385.1098522076},
      // rate 1e-3: M = 9e5 s, sqrt(3.75e8) = 19364.92 s
      {1e-3, 9.0e5, 19364.916731037083, 19226.27687657118, 204549.4032180655},
      // rate 1e-2: M = 9e4 s, sqrt(3.75e7) = 6123.72 s
      {1e-2, 9.0e4, 6123.724356957945, 5985.622984061463, 216182.0041311109},
  };
  for (const Row& row : rows) {
    CostInput in = base_input();
    in.total_tokens = 1e11;
    in.align_interval_to_steps = false;
    in.interruptions_per_instance_hour[index_of(PricingModel::kSpot)] = row.rate;
    const CostEstimate e = estimate_cost(in);
    const RunCost& spot = *e.run(PricingModel::kSpot);
    INFO("rate " << row.rate);
    CHECK(*spot.checkpoint.mtbi_s == Approx(row.mtbi));
    CHECK(*spot.checkpoint.young_interval_s == Approx(row.young));
    CHECK(*spot.checkpoint.daly_interval_s == Approx(row.daly));
    CHECK(*spot.checkpoint.interval_s == Approx(row.daly));
    CHECK(spot.run_time_s == Approx(row.time));
    CHECK(spot.usd_total == Approx(row.time * 12.0 / 3600));
  }
  // The interval shortens and the expected time grows with the rate.
  CHECK(rows[0].daly > rows[1].daly);
  CHECK(rows[1].daly > rows[2].daly);
  CHECK(rows[0].time < rows[1].time);
  CHECK(rows[1].time < rows[2].time);
}

TEST_CASE("with no interruptions spot costs the spot price times the run time", "[pricing]") {
  CostInput in = base_input();
  in.interruptions_per_instance_hour = {0, 0, 0, 0};
  const CostEstimate e = estimate_cost(in);
  CHECK(e.steps == 1000);
  CHECK(e.work_s == 2000);
  const RunCost& spot = *e.run(PricingModel::kSpot);
  CHECK(spot.run_time_s == 2000);
  CHECK(spot.usd_total == 3.0 * 4 * 2000 / 3600);
  CHECK(spot.usd_per_hour == 12.0);
  CHECK(spot.usd_per_step == Approx(12.0 * 2 / 3600));
  CHECK(spot.usd_per_million_tokens == Approx(12.0 * 2 / 3600));  // 1e6 tokens a step
  CHECK_FALSE(spot.checkpoint.interval_s.has_value());
  CHECK(spot.expected_interruptions == 0);
  const RunCost& od = *e.run(PricingModel::kOnDemand);
  CHECK(od.usd_total == Approx(10.0 * 4 * 2000 / 3600));
}

TEST_CASE("a price not offered gives no result, never a zero cost", "[pricing]") {
  CostInput in = base_input();
  const CostEstimate e = estimate_cost(in);
  CHECK(e.run(PricingModel::kOnDemand).has_value());
  CHECK(e.run(PricingModel::kCommitted1y).has_value());
  CHECK_FALSE(e.run(PricingModel::kCommitted3y).has_value());
  Instance inst;
  inst.provider = "aws";
  inst.source = PriceSource{"s", "2026-01-21", true};
  CHECK_FALSE(contract_cost(e, PricingModel::kCommitted3y, inst).has_value());
  const auto c = contract_cost(e, PricingModel::kOnDemand, inst);
  REQUIRE(c.has_value());
  CHECK(c->pricing == "on-demand");
  CHECK(c->catalog == "aws 2026-01-21");
  CHECK(c->usd_total == e.run(PricingModel::kOnDemand)->usd_total);
}

TEST_CASE("the spot interval is whole steps and the default rates are the advisor's", "[pricing]") {
  CostInput in = base_input();
  in.step_time_s = 7.0;
  in.interruptions_per_instance_hour[index_of(PricingModel::kSpot)] = advisor_bucket_rate(3);
  const CostEstimate estimate = estimate_cost(in);  // keep the estimate alive: spot refers into it
  const RunCost& spot = *estimate.run(PricingModel::kSpot);
  REQUIRE(spot.checkpoint.interval_steps.has_value());
  CHECK(*spot.checkpoint.interval_s == *spot.checkpoint.interval_steps * 7.0);
  CHECK(std::fabs(*spot.checkpoint.interval_s - *spot.checkpoint.daly_interval_s) <= 3.5);
  // 15-20 %: midpoint 17.5 % a month -> -ln(0.825) / 730 h.
  CHECK(advisor_bucket_rate(3) == Approx(0.0002635231406129536));
  Instance p5;
  p5.provider = "aws";
  p5.name = "p5.48xlarge";
  CHECK(default_spot_interruption_rate(p5).per_instance_hour == advisor_bucket_rate(3));
  Instance a3;
  a3.provider = "gcp";
  a3.name = "a3-highgpu-8g";
  CHECK(default_spot_interruption_rate(a3).per_instance_hour == advisor_bucket_rate(2));
  CHECK_THAT(default_spot_interruption_rate(a3).source, Catch::Contains("assumed"));
  CHECK(spot_notice_s("aws") == 120);
  CHECK(spot_notice_s("gcp") == 30);
}

TEST_CASE("checkpointing within the notice loses no work", "[pricing]") {
  CostInput in = base_input();
  in.total_tokens = 1e11;
  in.interruptions_per_instance_hour[index_of(PricingModel::kSpot)] = 1e-3;
  in.checkpoint_bytes = 1e11;  // 20.8 s, inside a 120 s notice
  in.notice_s = 120;
  const RunCost periodic = *estimate_cost(in).run(PricingModel::kSpot);
  in.checkpoint_on_notice = true;
  const CostEstimate e = estimate_cost(in);
  const RunCost& notice = *e.run(PricingModel::kSpot);
  CHECK(notice.checkpoint.on_notice);
  CHECK(notice.run_time_s < periodic.run_time_s);
  // Daly's C (write), M (mtbi), R (restart) and W' (work): W' + W' (C + M (e^(R/M) - 1)) / (M - C).
  const double write = 1e11 / 4.8e9;
  const double mtbi = 3600.0 / 4e-3;
  const double restart = kDefaultRestartS + write;
  const double work = e.work_s + write;
  CHECK(notice.run_time_s ==
        Approx(work + work * (write + mtbi * std::expm1(restart / mtbi)) / (mtbi - write)));
  // A checkpoint longer than the notice falls back to periodic checkpoints.
  in.notice_s = 10;
  CHECK_FALSE(estimate_cost(in).run(PricingModel::kSpot)->checkpoint.on_notice);
}

TEST_CASE("checkpoint write time, storage, egress and energy", "[pricing]") {
  CHECK(checkpoint_write_s(1e12, 4, 1.2e9, 0) == Approx(1e12 / 4.8e9));
  CHECK(checkpoint_write_s(1e12, 4, 1.2e9, 2e9) == Approx(500));  // the storage cap binds
  CHECK(checkpoint_write_s(0, 4, 1.2e9, 0) == 0);
  // S3: 2 TB x $0.023.
  CHECK(checkpoint_storage_per_month("aws", 2000).usd == Approx(46.0));
  CHECK(checkpoint_storage_per_month("aws", 2000).verified);
  CHECK(checkpoint_storage_per_month("aws", 61200).usd == Approx(51200 * 0.023 + 10000 * 0.022));
  CHECK_FALSE(checkpoint_storage_per_month("gcp", 10).verified);
  CHECK_THAT(checkpoint_storage_per_month("lambda", 10).source, Catch::Contains("stand-in"));
  // AWS egress: 100 GB free, then $0.09 /GB to 10 TB, $0.085 next 40 TB.
  CHECK(egress_per_month("aws", 1000)->usd == Approx(900 * 0.09));
  CHECK(egress_per_month("aws", 20480)->usd == Approx(10140 * 0.09 + 10240 * 0.085));
  CHECK(egress_per_month("aws", 50)->usd == 0);
  CHECK_FALSE(egress_per_month("lambda", 10).has_value());

  CostInput in = base_input();
  in.total_tokens = 1.8e9;  // 1800 steps x 2 s = 1 h
  in.gpus_per_node = 8;
  in.gpu_tdp_w = 700;
  in.gpu_utilization = 0.5;
  in.egress_gb = 1000;
  const CostEstimate e = estimate_cost(in);
  // 8 x 4 GPUs x 700 W x 0.5 x 1 h = 11.2 kWh.
  CHECK(*e.run(PricingModel::kOnDemand)->energy_kwh == Approx(11.2));
  CHECK(e.checkpoint_gb == Approx(2000));  // two checkpoints of 1 TB kept
  CHECK(e.storage_per_month.usd == Approx(46.0));
  CHECK(e.storage_usd_run == Approx(46.0 / 730));
  CHECK(e.egress->usd == Approx(81.0));
  CHECK_FALSE(e.assumptions.empty());
}

TEST_CASE("make_cost_input takes the instance's prices and defaults", "[pricing]") {
  Instance p4d;
  p4d.id = "aws:p4d.24xlarge";
  p4d.provider = "aws";
  p4d.name = "p4d.24xlarge";
  p4d.gpus = 8;
  p4d.prices.on_demand = 21.957642;
  p4d.prices.spot = 5.33;
  const CostInput in = make_cost_input(p4d, 16, 10.0, 4e6, 1e12);
  CHECK(in.nodes == 16);
  CHECK(in.prices.spot == 5.33);
  CHECK(in.gpus_per_node == 8);
  CHECK(in.notice_s == 120);
  CHECK(in.interruptions_per_instance_hour[index_of(PricingModel::kSpot)] ==
        advisor_bucket_rate(1));
  CHECK(in.interruptions_per_instance_hour[index_of(PricingModel::kOnDemand)] == 0);
  CHECK_THROWS_AS(estimate_cost(CostInput{}), std::invalid_argument);
}

TEST_CASE("committed pricing bills the whole term, renewed while the run lasts", "[pricing]") {
  CostInput in = base_input();  // 4 instances, 2000 s of work, committed-1y $6.5/h
  in.prices.committed_3y = 4.0;
  in.prices.capacity_block = 5.0;
  in.prices.flex_start = 7.0;
  in.interruptions_per_instance_hour = {0, 0, 0, 0, 0, 0};
  const CostEstimate e = estimate_cost(in);
  const RunCost& one = *e.run(PricingModel::kCommitted1y);
  // One 8,760 h term per instance: 4 x $6.5 x 8760 h = $227,760, whatever the run uses.
  CHECK(one.term_hours == 8760);
  CHECK(one.terms == 1);
  CHECK(one.usd_total == Approx(4 * 6.5 * 8760));
  CHECK(one.unused_term_usd == Approx(4 * 6.5 * (8760 - 2000.0 / 3600)));
  CHECK(one.usd_per_step == Approx(4 * 6.5 * 8760 / 1000));  // the term over 1000 steps
  const RunCost& three = *e.run(PricingModel::kCommitted3y);
  CHECK(three.term_hours == 26280);
  CHECK(three.usd_total == Approx(4 * 4.0 * 26280));
  // On-demand and spot bill the hours used only.
  CHECK(e.run(PricingModel::kOnDemand)->unused_term_usd == 0);
  CHECK(e.run(PricingModel::kOnDemand)->usd_total == Approx(10.0 * 4 * 2000 / 3600));
  CHECK(e.run(PricingModel::kSpot)->usd_total == Approx(3.0 * 4 * 2000 / 3600));
  // A capacity block is at least a day, paid up front for every instance: 4 x 24 h x $5 = $480,
  // of which 4 x (24 h - 2000 s) go unused.
  const RunCost& block = *e.run(PricingModel::kCapacityBlock);
  CHECK(block.usd_total == Approx(4 * 24 * 5.0));
  CHECK(block.unused_term_usd == Approx(4 * (24 - 2000.0 / 3600) * 5.0));
  // Flex-start bills the seconds used: 4 x 2000 s x $7/h.
  CHECK(e.run(PricingModel::kFlexStart)->usd_total == Approx(7.0 * 4 * 2000 / 3600));
  CHECK(e.run(PricingModel::kFlexStart)->unused_term_usd == 0);

  // A run of 1.5 years needs two 1-year terms: 4 x 6.5 x 17,520 h.
  in.total_tokens = 1e6 * std::ceil(1.5 * 8760 * 3600 / 2.0);
  const CostEstimate long_estimate = estimate_cost(in);
  const RunCost& long_run = *long_estimate.run(PricingModel::kCommitted1y);
  CHECK(long_run.terms == 2);
  CHECK(long_run.usd_total == Approx(4 * 6.5 * 2 * 8760));

  // Half the unused hours recovered: the run's hours plus half the rest.
  in.total_tokens = 1e9;
  in.committed_reuse = 0.5;
  const CostEstimate reused_estimate = estimate_cost(in);
  const RunCost& reused = *reused_estimate.run(PricingModel::kCommitted1y);
  const double used_h = 2000.0 / 3600;
  CHECK(reused.usd_total == Approx(4 * 6.5 * (used_h + 0.5 * (8760 - used_h))));

  // Without a run length there is no term to allocate: the hourly rate per step only.
  in.total_tokens = 0;
  const CostEstimate per_step = estimate_cost(in);
  CHECK(per_step.run(PricingModel::kCommitted1y)->terms == 0);
  CHECK(per_step.run(PricingModel::kCommitted1y)->usd_per_step == Approx(4 * 6.5 * 2 / 3600.0));
  Instance inst;
  inst.provider = "aws";
  inst.source = PriceSource{"s", "2026-01-21", true};
  CHECK_FALSE(contract_cost(per_step, PricingModel::kOnDemand, inst)->has_run);
  CHECK(contract_cost(e, PricingModel::kOnDemand, inst)->has_run);
}
