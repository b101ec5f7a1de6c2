// pricing.usd_per_hour: read and bounded by the loader, then written into the catalogs as the
// price of the scenario's pricing model with the scenario as its source; refused where it
// cannot apply (no single instance, an unknown id, a type the product is not sold for).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/input_error.hpp"
#include "scenarios/scenario.hpp"
#include "scenarios/scenario_prices.hpp"

namespace {

using cirrus::InputError;
using cirrus::pricing::Catalog;
using cirrus::pricing::PricingModel;
using cirrus::scenarios::Scenario;
using nlohmann::json;

const std::string kFile = "tests/prices-scenario.json";

json base(const json& instance, const json& pricing) {
  return json{{"cirrus", 1},
              {"model", {{"preset", "llama3-8b"}}},
              {"training", {{"global_batch", 64}}},
              {"cluster", {{"instance", instance}, {"nodes", 2}}},
              {"strategy", {{"tp", 8}, {"pp", 1}}},
              {"pricing", pricing}};
}

Scenario load(const json& j) { return cirrus::scenarios::parse_scenario(j.dump(), kFile); }

std::vector<Catalog> catalogs() {
  Catalog aws;
  aws.provider = "aws";
  for (const char* name : {"p5.48xlarge", "g5.48xlarge"}) {
    cirrus::pricing::Instance i;
    i.provider = "aws";
    i.name = name;
    i.id = std::string("aws:") + name;
    i.prices.on_demand = 10.0;
    i.source = {"test", "2026-01-21", true};
    aws.instances.push_back(i);
  }
  return {aws};
}

void require_error(const json& j, const std::string& path, const std::string& fragment) {
  INFO(j.dump());
  try {
    auto c = catalogs();
    cirrus::scenarios::apply_scenario_prices(load(j), c);
  } catch (const InputError& e) {
    INFO(e.what());
    CHECK(e.path() == path);
    CHECK(e.file() == kFile);
    CHECK_THAT(e.what(), Catch::Contains(fragment));
    return;
  }
  FAIL("no InputError; expected one at " << path);
}

}  // namespace

TEST_CASE("pricing.usd_per_hour prices the scenario's instance under its pricing model",
          "[scenarios]") {
  const Scenario s =
      load(base("aws:p5.48xlarge", {{"model", "capacity-block"}, {"usd_per_hour", 31.5}}));
  CHECK(s.pricing.model == PricingModel::kCapacityBlock);
  CHECK(s.pricing.usd_per_hour == 31.5);
  auto c = catalogs();
  cirrus::scenarios::apply_scenario_prices(s, c);
  const auto& p5 = c[0].instances[0];
  CHECK(p5.prices.capacity_block == 31.5);
  CHECK(p5.prices.on_demand == 10.0);  // the other models keep the catalog's
  CHECK(p5.source_of(PricingModel::kCapacityBlock).retrieved == "scenario");
  CHECK_THAT(p5.source_of(PricingModel::kCapacityBlock).source,
             Catch::Contains("pricing.usd_per_hour in " + kFile));
  CHECK_FALSE(c[0].instances[1].prices.capacity_block.has_value());

  // One price per instance id, for a search over several.
  const Scenario listed =
      load(base(json::array({"aws:p5.48xlarge", "aws:g5.48xlarge"}),
                {{"model", "on-demand"}, {"usd_per_hour", {{"aws:g5.48xlarge", 12.0}}}}));
  c = catalogs();
  cirrus::scenarios::apply_scenario_prices(listed, c);
  CHECK(c[0].instances[1].prices.on_demand == 12.0);
  CHECK(c[0].instances[0].prices.on_demand == 10.0);
}

TEST_CASE("pricing.usd_per_hour refusals name the path", "[scenarios]") {
  using cirrus::scenarios::parse_scenario;
  for (const json& bad : {json(0), json(-3), json("31.5"), json(1e6)}) {
    INFO(bad.dump());
    try {
      load(base("aws:p5.48xlarge", {{"model", "capacity-block"}, {"usd_per_hour", bad}}));
      FAIL("accepted");
    } catch (const InputError& e) {
      CHECK(e.path() == "pricing.usd_per_hour");
      CHECK_THAT(e.what(), Catch::Contains("above 0 and at most 100000"));
    }
  }
  require_error(base(json::array({"aws:p5.48xlarge", "aws:g5.48xlarge"}),
                     {{"model", "capacity-block"}, {"usd_per_hour", 31.5}}),
                "pricing.usd_per_hour", "several instances");
  require_error(base("aws:g5.48xlarge", {{"model", "capacity-block"}, {"usd_per_hour", 31.5}}),
                "pricing.usd_per_hour", "Capacity Blocks are sold for AWS p4d");
  require_error(base("aws:p5.48xlarge", {{"model", "flex-start"}, {"usd_per_hour", 31.5}}),
                "pricing.usd_per_hour", "flex-start provisions Google Cloud");
  require_error(
      base("aws:p5.48xlarge", {{"model", "capacity-block"}, {"usd_per_hour", {{"aws:p5", 1.0}}}}),
      "pricing.usd_per_hour.aws:p5", "aws:p5");
}
