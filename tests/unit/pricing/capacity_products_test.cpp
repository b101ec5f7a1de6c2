// Capacity blocks and flex-start against hand calculations: block lengths and sizes, what is
// billed up front and left unused, flex-start's exact hours, the runs that do not fit, and the
// instance types each product is sold for.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "pricing/capacity_products.hpp"
#include "pricing/cost_model.hpp"

namespace {

using namespace cirrus::pricing;

// A run of `days` of work on `nodes` instances: 1-second steps of one token each.
CostInput run_of(double days, int nodes) {
  CostInput in;
  in.step_time_s = 1.0;
  in.tokens_per_step = 1.0;
  in.total_tokens = std::round(days * 86400);  // whole seconds: 11.2 days = 967,680 s
  in.nodes = nodes;
  in.provider = "aws";
  in.prices.on_demand = 55.04;
  in.prices.capacity_block = 31.5;
  in.prices.flex_start = 40.0;
  return in;
}

Instance instance(const std::string& provider, const std::string& name) {
  Instance i;
  i.id = provider + ":" + name;
  i.provider = provider;
  i.name = name;
  i.gpus = 8;
  i.source = PriceSource{"test", "2026-01-21", true};
  return i;
}

}  // namespace

TEST_CASE("capacity block lengths: 1-day steps to 14 days, then 7-day steps to 182", "[pricing]") {
  CHECK(capacity_block_days(0.2) == 1);
  CHECK(capacity_block_days(1.0) == 1);
  CHECK(capacity_block_days(11.2) == 12);
  CHECK(capacity_block_days(14.0) == 14);
  CHECK(capacity_block_days(14.01) == 21);  // 14 + 7
  CHECK(capacity_block_days(20.0) == 21);
  CHECK(capacity_block_days(21.5) == 28);
  CHECK(capacity_block_days(182.0) == 182);  // 14 + 24 x 7
  CHECK_FALSE(capacity_block_days(182.01).has_value());
  CHECK(capacity_block_instances(1) == 1);
  CHECK(capacity_block_instances(3) == 4);
  CHECK(capacity_block_instances(64) == 64);
  CHECK_FALSE(capacity_block_instances(65).has_value());
}

TEST_CASE("an 11.2-day run on 2 nodes pays a 12-day block for both instances up front",
          "[pricing]") {
  const CostEstimate e = estimate_cost(run_of(11.2, 2));
  const RunCost& cb = *e.run(PricingModel::kCapacityBlock);
  // 11.2 days rounds up to a 12-day block: 2 x 12 x 24 h x $31.5 = $18,144.
  CHECK(cb.term_hours == 12 * 24);
  CHECK(cb.billed_instances == 2);
  CHECK(cb.usd_total == Approx(2 * 12 * 24 * 31.5));
  // The run uses 2 x 268.8 h of the block's 2 x 288 h: 38.4 instance-hours, $1,209.60, unused.
  CHECK(cb.unused_instance_hours == Approx(2 * (288 - 268.8)));
  CHECK(cb.unused_term_usd == Approx(38.4 * 31.5));
  CHECK(cb.run_time_s == Approx(11.2 * 86400));
  CHECK(cb.billing == "capacity block 12 d (run 11.2 d), 2 instance(s), paid up front");
  const ContractCost c = *contract_cost(e, PricingModel::kCapacityBlock, instance("aws", "p5"));
  CHECK(c.billed_hours == Approx(288));
  CHECK(c.unused_hours == Approx(38.4));
}

TEST_CASE("a 20-day run takes a 21-day block; a 200-day run does not fit", "[pricing]") {
  const CostEstimate e = estimate_cost(run_of(20, 2));
  CHECK(e.run(PricingModel::kCapacityBlock)->usd_total == Approx(2 * 21 * 24 * 31.5));

  const CostEstimate too_long = estimate_cost(run_of(200, 2));
  CHECK_FALSE(too_long.run(PricingModel::kCapacityBlock).has_value());
  const auto& why = *too_long.why_unavailable(PricingModel::kCapacityBlock);
  CHECK(why.label == "does not fit");
  CHECK(why.rule == "capacity-block: a run longer than 182 days (the longest block)");
  CHECK_THAT(why.detail, Catch::Contains("200.0 days"));
  // On-demand prices the same run as ever: 2 x 200 x 24 h x $55.04.
  CHECK(too_long.run(PricingModel::kOnDemand)->usd_total == Approx(2 * 200 * 24 * 55.04));
}

TEST_CASE("capacity blocks round the nodes up to a block size; over 64 does not fit", "[pricing]") {
  // 3 nodes for 2 days: a 4-instance, 2-day block, 4 x 48 h x $31.5; one instance idle.
  const RunCost three = *estimate_cost(run_of(2, 3)).run(PricingModel::kCapacityBlock);
  CHECK(three.billed_instances == 4);
  CHECK(three.usd_total == Approx(4 * 48 * 31.5));
  CHECK(three.unused_instance_hours == Approx(4 * 48 - 3 * 48));
  const CostEstimate big = estimate_cost(run_of(2, 65));
  CHECK_FALSE(big.run(PricingModel::kCapacityBlock).has_value());
  CHECK(big.why_unavailable(PricingModel::kCapacityBlock)->rule ==
        "capacity-block: more than 64 instances (the largest block)");
}

TEST_CASE("flex-start bills a 3-day run exactly; an 8-day run does not fit", "[pricing]") {
  const CostEstimate e = estimate_cost(run_of(3, 2));
  const RunCost& fs = *e.run(PricingModel::kFlexStart);
  // Per second, no rounding: 2 x 72 h x $40 = $5,760.
  CHECK(fs.usd_total == Approx(2 * 72 * 40.0));
  CHECK(fs.term_hours == 0);
  CHECK(fs.unused_term_usd == 0);
  const ContractCost c = *contract_cost(e, PricingModel::kFlexStart, instance("gcp", "a3"));
  CHECK(c.billed_hours == Approx(72));
  CHECK(c.unused_hours == 0);

  const CostEstimate long_run = estimate_cost(run_of(8, 2));
  CHECK_FALSE(long_run.run(PricingModel::kFlexStart).has_value());
  CHECK(long_run.why_unavailable(PricingModel::kFlexStart)->rule ==
        "flex-start: a run longer than 7 days (the longest request)");
}

TEST_CASE("capacity products are not interrupted and need a price", "[pricing]") {
  CostInput in = run_of(3, 2);
  in.interruptions_per_instance_hour[index_of(PricingModel::kCapacityBlock)] = 0.01;
  in.interruptions_per_instance_hour[index_of(PricingModel::kFlexStart)] = 0.01;
  CostEstimate e = estimate_cost(in);
  CHECK(e.run(PricingModel::kCapacityBlock)->run_time_s == Approx(3 * 86400));
  CHECK_FALSE(e.run(PricingModel::kFlexStart)->checkpoint.mtbi_s.has_value());
  in.prices.capacity_block.reset();
  e = estimate_cost(in);
  CHECK_FALSE(e.run(PricingModel::kCapacityBlock).has_value());
  CHECK(e.why_unavailable(PricingModel::kCapacityBlock)->label == "no price");
  // The other pricing models say nothing when not offered.
  CHECK_FALSE(e.why_unavailable(PricingModel::kSpot).has_value());
  // Without a run length: the hourly rate only, no block.
  in.total_tokens = 0;
  e = estimate_cost(in);
  CHECK(e.run(PricingModel::kFlexStart)->usd_per_hour == 80.0);
}

TEST_CASE("capacity products are sold for the instance types their providers list", "[pricing]") {
  CHECK_FALSE(not_offered_reason(instance("aws", "p5.48xlarge"), PricingModel::kCapacityBlock));
  CHECK_FALSE(not_offered_reason(instance("aws", "p5en.48xlarge"), PricingModel::kCapacityBlock));
  CHECK_FALSE(
      not_offered_reason(instance("aws", "p6-b200.48xlarge"), PricingModel::kCapacityBlock));
  CHECK_FALSE(not_offered_reason(instance("aws", "trn2.48xlarge"), PricingModel::kCapacityBlock));
  CHECK(not_offered_reason(instance("aws", "g5.48xlarge"), PricingModel::kCapacityBlock));
  CHECK(not_offered_reason(instance("gcp", "a3-highgpu-8g"), PricingModel::kCapacityBlock));
  CHECK_FALSE(not_offered_reason(instance("gcp", "a3-highgpu-8g"), PricingModel::kFlexStart));
  CHECK_FALSE(not_offered_reason(instance("gcp", "g2-standard-96"), PricingModel::kFlexStart));
  CHECK(not_offered_reason(instance("aws", "p5.48xlarge"), PricingModel::kFlexStart));
  CHECK_FALSE(not_offered_reason(instance("aws", "g5.48xlarge"), PricingModel::kOnDemand));

  // make_cost_input carries the reason: no result even with a price.
  Instance g5 = instance("aws", "g5.48xlarge");
  g5.prices.on_demand = 16.288;
  g5.prices.capacity_block = 10.0;
  const CostEstimate e = estimate_cost(make_cost_input(g5, 2, 1.0, 1.0, 86400));
  CHECK_FALSE(e.run(PricingModel::kCapacityBlock).has_value());
  CHECK(e.why_unavailable(PricingModel::kCapacityBlock)->label == "not sold");
  CHECK(e.run(PricingModel::kOnDemand).has_value());
}
