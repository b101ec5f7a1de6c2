// The price of a serving fleet under each pricing model (pricing/serving_cost.hpp), by hand:
// replica-seconds x the model's hourly price x tp / the instance's GPUs / 3600, plus, under
// committed pricing, the unused part of the peak's reservation.
#include <catch2/catch.hpp>

#include "pricing/serving_cost.hpp"

using namespace cirrus::pricing;

namespace {

Instance p5() {
  Instance inst;
  inst.id = "aws:p5.48xlarge";
  inst.provider = "aws";
  inst.gpus = 8;
  inst.prices.on_demand = 98.32;
  inst.prices.spot = 40.0;
  inst.prices.committed_1y = 64.0;
  inst.source = PriceSource{"catalog", "2026-01-21", true};
  inst.price_sources[PricingModel::kSpot] = PriceSource{"spot history", "2026-02-01", true};
  return inst;
}

}  // namespace

TEST_CASE("serving cost: replica-seconds x the model's price share", "[serving][pricing]") {
  const Instance inst = p5();
  // Two replicas of tp 1 for an hour, one more for the second hour: 3 replica-hours; the run is
  // 2 h, at most 2 replicas at once. 1 M input and 3 M output tokens, prefill 20 % of the time.
  const FleetUsage usage{1, 3 * 3600.0, 2, 2 * 3600.0};
  const ServedTokens served{2 * 3600.0, 1e6, 3e6, 0.2};
  std::string missing;

  const auto od = serving_fleet_cost(&inst, PricingModel::kOnDemand, 0, usage, served, missing);
  REQUIRE(od);
  // 98.32 / 8 = 12.29 $/replica-hour x 3 h = 36.87; over 2 h: 18.435 $/h.
  CHECK(od->usd_per_replica_hour == Approx(12.29));
  CHECK(od->usd_total == Approx(36.87));
  CHECK(od->usd_per_hour == Approx(18.435));
  CHECK(od->usd_per_million_input == Approx(36.87 * 0.2 / 1.0));
  CHECK(od->usd_per_million_output == Approx(36.87 * 0.8 / 3.0));
  CHECK(od->usd_per_million_tokens == Approx(36.87 / 4.0));
  CHECK(od->committed_unused_usd == 0);

  const auto spot = serving_fleet_cost(&inst, PricingModel::kSpot, 0, usage, served, missing);
  REQUIRE(spot);
  CHECK(spot->pricing == PricingModel::kSpot);
  CHECK(spot->usd_total == Approx(40.0 / 8 * 3));  // 15
  CHECK(spot->source == "spot history");
  CHECK(spot->retrieved == "2026-02-01");

  // Committed: 2 replicas reserved for 2 h = 4 replica-hours, 3 used: 1 unused hour at 8 $/h
  // charged whole, or half of it with committed_reuse 0.5.
  const auto c1 = serving_fleet_cost(&inst, PricingModel::kCommitted1y, 0, usage, served, missing);
  REQUIRE(c1);
  CHECK(c1->committed_unused_usd == Approx(8.0));
  CHECK(c1->usd_total == Approx(8.0 * 4));
  const auto half =
      serving_fleet_cost(&inst, PricingModel::kCommitted1y, 0.5, usage, served, missing);
  CHECK(half->usd_total == Approx(8.0 * 3.5));

  // No 3-year price, and capacity products: no cost, and why.
  CHECK_FALSE(serving_fleet_cost(&inst, PricingModel::kCommitted3y, 0, usage, served, missing));
  CHECK_THAT(missing, Catch::Contains("committed-3y"));
  CHECK_FALSE(serving_fleet_cost(&inst, PricingModel::kCapacityBlock, 0, usage, served, missing));
  CHECK_THAT(missing, Catch::Contains("capacity-block"));
}

TEST_CASE("serving cost: the on-demand fleet form is a whole fleet paid for the run",
          "[serving][pricing]") {
  const Instance inst = p5();
  const ServedTokens served{1800, 1e6, 1e6, 0.5};
  std::string missing;
  const auto c = serving_fleet_cost(&inst, 8, served, missing);
  REQUIRE(c);
  CHECK(c->usd_per_hour == Approx(98.32));
  CHECK(c->usd_total == Approx(98.32 / 2));
  CHECK(c->pricing == PricingModel::kOnDemand);
}
