// The catalog format: strict reading, deterministic writing, lookups; and the shipped catalogs.
#include <catch2/catch.hpp>
#include <cmath>
#include <set>
#include <string>

#include "common/input_error.hpp"
#include "common/read_file.hpp"
#include "pricing/catalog.hpp"
#include "pricing/instance_table.hpp"

namespace {

using namespace cirrus;
using namespace cirrus::pricing;

const char* const kCatalog = R"({
  "cirrus_catalog": 1,
  "provider": "aws",
  "instances": [
    { "id": "aws:p5.48xlarge", "region": "us-east-1", "gpu": "h100-sxm", "gpus": 8,
      "vcpus": 192, "memory_gib": 2048, "node": "dgx-h100", "network_gbps": 3200,
      "prices": { "on_demand": 55.04, "spot": 20.1, "committed_1y": null, "committed_3y": null },
      "source": "where the prices were read", "retrieved": "2026-01-21" },
    { "id": "aws:trn1.2xlarge", "region": "us-east-1", "gpu": null, "gpu_model": "AWS Trainium",
      "gpus": 1, "vcpus": 8, "memory_gib": 32, "node": null, "network_gbps": 12.5,
      "prices": { "on_demand": 1.34375, "spot": null, "committed_1y": 0.82681,
                  "committed_3y": null },
      "source": "somewhere", "retrieved": "2026-01",
      "price_sources": { "committed_1y": { "source": "elsewhere", "retrieved": "2025-12-01",
                                           "verified": false } },
      "verified": false, "note": "recalled" }
  ]
})";

// Replaces the first occurrence of `from` in the example catalog.
std::string with(const std::string& from, const std::string& to) {
  std::string s = kCatalog;
  const auto pos = s.find(from);
  REQUIRE(pos != std::string::npos);
  s.replace(pos, from.size(), to);
  return s;
}

void require_error(const std::string& text, const std::string& path, const std::string& words) {
  try {
    parse_catalog(text, "bad.json");
    FAIL("expected an InputError at " << path);
  } catch (const InputError& e) {
    CHECK(e.file() == "bad.json");
    CHECK(e.path() == path);
    CHECK_THAT(std::string(e.what()), Catch::Contains(words));
  }
}

}  // namespace

TEST_CASE("a catalog reads with its prices, nulls and per-price sources", "[pricing]") {
  const Catalog c = parse_catalog(kCatalog, "aws.json");
  REQUIRE(c.provider == "aws");
  REQUIRE(c.instances.size() == 2);
  const Instance& p5 = c.instances[0];
  CHECK(p5.id == "aws:p5.48xlarge");
  CHECK(p5.provider == "aws");
  CHECK(p5.name == "p5.48xlarge");
  CHECK(p5.gpu == "h100-sxm");
  CHECK(p5.gpus == 8.0);
  CHECK(p5.prices.on_demand == 55.04);
  CHECK(p5.prices.spot == 20.1);
  CHECK_FALSE(p5.prices.committed_1y.has_value());
  CHECK(p5.verified);
  const Instance& trn = c.instances[1];
  CHECK(trn.gpu.empty());
  CHECK(trn.gpu_model == "AWS Trainium");
  CHECK(trn.node.empty());
  CHECK_FALSE(trn.verified);
  CHECK(trn.source_of(PricingModel::kOnDemand).source == "somewhere");
  CHECK(trn.source_of(PricingModel::kCommitted1y).source == "elsewhere");
  CHECK(trn.source_of(PricingModel::kCommitted1y).retrieved == "2025-12-01");
  CHECK_FALSE(trn.source_of(PricingModel::kCommitted1y).verified);
}

TEST_CASE("a catalog written and read back is the same, byte for byte the second time",
          "[pricing]") {
  const Catalog c = parse_catalog(kCatalog, "aws.json");
  const std::string once = write_catalog(c);
  const Catalog again = parse_catalog(once, "again.json");
  CHECK(write_catalog(again) == once);
  REQUIRE(again.instances.size() == 2);
  CHECK(again.instances[1].prices.committed_1y == 0.82681);
  CHECK(again.instances[1].note == "recalled");
  // Keys in the fixed order, integers as integers, nulls written out.
  CHECK(once.find("\"gpus\": 8,") != std::string::npos);
  CHECK(once.find("\"committed_3y\": null") != std::string::npos);
  CHECK(once.find("\"id\": \"aws:p5.48xlarge\",\n      \"region\"") != std::string::npos);
  CHECK(once.back() == '\n');
}

TEST_CASE("the catalog reader is strict", "[pricing]") {
  require_error(with("\"network_gbps\": 3200", "\"network_gpbs\": 3200"),
                "instances[0].network_gpbs", "did you mean 'network_gbps'");
  require_error(with("\"spot\": 20.1", "\"spot\": 0"), "instances[0].prices.spot", "never 0");
  require_error(with("\"spot\": 20.1", "\"spot\": -3"), "instances[0].prices.spot", "positive");
  require_error(with("\"spot\": 20.1", "\"spot\": \"20.1\""), "instances[0].prices.spot",
                "USD per instance-hour");
  require_error(with("\"spot\": 20.1", "\"sopt\": 20.1"), "instances[0].prices.sopt",
                "did you mean 'spot'");
  require_error(with("\"retrieved\": \"2026-01-21\"", "\"retrieved\": \"last week\""),
                "instances[0].retrieved", "YYYY-MM-DD");
  require_error(with("\"source\": \"where the prices were read\", ", ""), "instances[0].source",
                "required");
  require_error(with("\"source\": \"where the prices were read\"", "\"source\": \"\""),
                "instances[0].source", "non-empty");
  require_error(with("\"id\": \"aws:p5.48xlarge\"", "\"id\": \"gcp:p5.48xlarge\""),
                "instances[0].id", "provider \"aws\"");
  require_error(with("\"id\": \"aws:p5.48xlarge\"", "\"id\": \"p5.48xlarge\""), "instances[0].id",
                "provider:name");
  require_error(with("\"id\": \"aws:trn1.2xlarge\"", "\"id\": \"aws:p5.48xlarge\""),
                "instances[1].id", "not used by an earlier instance");
  require_error(with("\"cirrus_catalog\": 1", "\"cirrus_catalog\": 2"), "cirrus_catalog",
                "version 1");
  require_error(with("\"provider\": \"aws\",", "\"provider\": \"aws\", \"extra\": 1,"), "extra",
                "unknown key");
  require_error(std::string(kCatalog).substr(0, 200), "", "well-formed JSON");
}

TEST_CASE("the writer refuses a zero price or a missing source", "[pricing]") {
  Catalog c = parse_catalog(kCatalog, "aws.json");
  Catalog zero = c;
  zero.instances[0].prices.spot = 0.0;
  CHECK_THROWS_AS(write_catalog(zero), std::invalid_argument);
  Catalog unsourced = c;
  unsourced.instances[0].source.source.clear();
  CHECK_THROWS_AS(write_catalog(unsourced), std::invalid_argument);
}

TEST_CASE("lookups across catalogs suggest the closest id", "[pricing]") {
  const std::vector<Catalog> catalogs = {parse_catalog(kCatalog, "aws.json")};
  CHECK(find_instance(catalogs, "aws:p5.48xlarge") != nullptr);
  CHECK(find_instance(catalogs, "aws:p5.24xlarge") == nullptr);
  try {
    lookup_instance(catalogs, "aws:p5.24xlarge", "s.json", "cluster.instance");
    FAIL("expected an InputError");
  } catch (const InputError& e) {
    CHECK(e.path() == "cluster.instance");
    CHECK_THAT(std::string(e.what()), Catch::Contains("did you mean 'aws:p5.48xlarge'"));
  }
  try {
    lookup_instance(catalogs, "trn1.2xlarge", "s.json", "cluster.instance");
    FAIL("expected an InputError");
  } catch (const InputError& e) {
    CHECK_THAT(std::string(e.what()), Catch::Contains("did you mean 'aws:trn1.2xlarge'"));
  }
  CHECK(list_instances(catalogs, "aws").size() == 2);
  CHECK(list_instances(catalogs, "gcp").empty());
  CHECK(list_instances(catalogs, "").size() == 2);
}

TEST_CASE("pricing models read in either spelling", "[pricing]") {
  CHECK(parse_pricing_model("on-demand") == PricingModel::kOnDemand);
  CHECK(parse_pricing_model("committed_3y") == PricingModel::kCommitted3y);
  CHECK_FALSE(parse_pricing_model("reserved").has_value());
  CHECK(is_catalog_date("2026-11-22"));
  CHECK(is_catalog_date("2026-11"));
  CHECK_FALSE(is_catalog_date("2026-13-01"));
  CHECK_FALSE(is_catalog_date("22/11/2026"));
  CHECK(round_price(21.957642000000003) == 21.957642);
}

TEST_CASE("shipped catalogs: canonical, sourced, dated, never a zero price", "[pricing]") {
  const std::vector<Catalog> catalogs =
      read_catalog_dir(std::string(CIRRUS_SOURCE_DIR) + "/pricing/catalogs");
  REQUIRE(catalogs.size() == 4);
  std::set<std::string> providers;
  std::size_t instances = 0;
  for (const Catalog& c : catalogs) {
    providers.insert(c.provider);
    INFO(c.file);
    // Written in the writer's canonical form: regenerating it changes nothing.
    CHECK(write_catalog(c) == read_file(c.file));
    for (const Instance& in : c.instances) {
      INFO(in.id);
      ++instances;
      for (const PricingModel m : kPricingModels) {
        const PriceSource s = in.source_of(m);
        CHECK_FALSE(s.source.empty());
        CHECK(is_catalog_date(s.retrieved));
        if (const auto p = in.prices.get(m)) CHECK(*p > 0);
        if (!s.verified) CHECK_FALSE(in.verified);
      }
      // Hardware agrees with the importers' table.
      const KnownHardware* hw = find_known_hardware(in.provider, in.name);
      REQUIRE(hw != nullptr);
      CHECK(in.gpu == hw->gpu);
      CHECK(in.node == hw->node);
      CHECK(in.gpus == hw->gpus);
      if (in.gpu.empty()) CHECK_FALSE(in.gpu_model.empty());
      if (in.vcpus) CHECK(*in.vcpus == hw->vcpus);
      if (in.memory_gib) CHECK(*in.memory_gib == hw->memory_gib);
    }
  }
  CHECK(providers == std::set<std::string>{"aws", "azure", "gcp", "lambda"});
  CHECK(instances == 61);
}

TEST_CASE("shipped catalogs carry REFERENCE.md's key figures", "[pricing]") {
  const std::vector<Catalog> catalogs =
      read_catalog_dir(std::string(CIRRUS_SOURCE_DIR) + "/pricing/catalogs");
  auto at = [&](const char* id) -> const Instance& {
    const Instance* in = find_instance(catalogs, id);
    INFO(id);
    REQUIRE(in != nullptr);
    return *in;
  };
  CHECK(at("aws:p5.48xlarge").prices.on_demand == 55.04);
  CHECK(at("aws:p5.48xlarge").prices.spot == Approx((17.63 + 25.75) / 2));
  CHECK(at("aws:p4d.24xlarge").prices.on_demand == 21.957642);
  CHECK(at("aws:p4d.24xlarge").prices.committed_1y == 13.921094);
  CHECK_FALSE(at("aws:p5e.48xlarge").prices.on_demand.has_value());  // Capacity Blocks only
  CHECK_FALSE(at("aws:p5.4xlarge").prices.spot.has_value());         // no spot market
  CHECK(at("aws:trn1.32xlarge").gpu.empty());
  CHECK(at("gcp:a3-highgpu-8g").prices.on_demand == 87.83247);
  CHECK_FALSE(at("gcp:a3-highgpu-8g").prices.committed_1y.has_value());
  CHECK(at("gcp:a2-highgpu-1g").prices.committed_1y == Approx(3.67339 * 0.63).epsilon(1e-6));
  CHECK(at("gcp:a2-highgpu-1g").prices.committed_3y == Approx(3.67339 * 0.35).epsilon(1e-6));
  CHECK_FALSE(at("gcp:a2-ultragpu-8g").verified);
  CHECK(at("azure:Standard_ND96isr_H100_v5").prices.on_demand == 98.32);
  CHECK_FALSE(at("azure:Standard_ND96isr_H100_v5").prices.spot.has_value());  // spot == OD
  CHECK_FALSE(at("azure:Standard_ND96isr_H200_v5").prices.on_demand.has_value());
  CHECK(at("lambda:gpu_8x_h100_sxm5").prices.on_demand == 31.92);
  CHECK(at("lambda:gpu_8x_h100_sxm5").region == "any");
  CHECK(at("aws:p5.48xlarge").source.retrieved == "2026-01-21");
}
