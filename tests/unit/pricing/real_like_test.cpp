// The importers on price files shaped like the providers' full-size ones
// (tests/data/pricing/real_like/, written by its generate.py): the real key names, preambles,
// number formats and paging, and every decoy a full file carries (other systems, tenancies,
// capacity reservations, local zones, convertible and upfront reservations in any order,
// Windows / Spot / Low Priority / DevTest / non-primary Azure meters, discounted GCP SKUs
// listed as OnDemand, SkyPilot's per-zone rows). Each expected figure is REFERENCE.md §1's or
// a hand calculation from the fixture.
#include <fmt/format.h>
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "../../golden/cli_support.hpp"
#include "common/input_error.hpp"
#include "common/read_file.hpp"
#include "pricing/importers.hpp"
#include "tests/unit/pricing/importer_fixtures.hpp"

namespace {

using namespace cirrus;
using namespace cirrus::pricing;
using namespace cirrus::pricing::testing;

// SkyPilot files carry no date: every import names the day the prices were fetched.
ImportOptions sky_dated() {
  ImportOptions o;
  o.retrieved = "2026-11-30";
  return o;
}

std::string real(const std::string& name) { return pricing_data("real_like/" + name); }

std::vector<InputFile> real_files(std::initializer_list<std::string> names) {
  return pricing_files(names, "real_like/");
}

const Instance* find(const Catalog& c, const std::string& id) { return find_instance(c, id); }

const Instance& at(const Catalog& c, const std::string& id) {
  const Instance* in = find(c, id);
  if (in == nullptr) FAIL("no instance " << id);
  return *in;
}

// ---- AWS ----

void check_aws_us_east_1(const Catalog& c, bool p5e_product_listed) {
  INFO("the Linux/Shared/Used/NA/OnDemand SKU of each type, nothing else");
  const Instance& p5 = at(c, "aws:p5.48xlarge");
  CHECK(p5.prices.on_demand == 55.04);  // not Windows, RHEL, SUSE, Ubuntu Pro, SQL, Dedicated,
                                        // capacity reservations, Capacity Block, Atlanta LZ
  CHECK_FALSE(p5.prices.spot.has_value());
  CHECK_FALSE(p5.prices.committed_1y.has_value());
  CHECK_FALSE(p5.prices.committed_3y.has_value());
  CHECK(p5.region == "us-east-1");
  CHECK(p5.source.retrieved == "2025-11-20");  // publicationDate
  CHECK_THAT(p5.note, !Catch::Contains("SKUs passed the filters"));

  const Instance& p4d = at(c, "aws:p4d.24xlarge");
  CHECK(p4d.prices.on_demand == 21.957642);
  // yrTerm1Standard.noUpfront, although convertible No Upfront (12.5) is cheaper, Partial
  // Upfront amortised (6.628 + 58061/8760 = 13.2560) and All Upfront (113900/8760 = 13.0023)
  // cost less, and the Windows SKU has a 9.99 standard No Upfront term.
  CHECK(p4d.prices.committed_1y == 13.921094);
  CHECK_THAT(p4d.source_of(PricingModel::kCommitted1y).source, Catch::Contains("No Upfront"));
  CHECK(p4d.prices.committed_3y == 9.46);  // 3-yr standard No Upfront
  const Instance& p4de = at(c, "aws:p4de.24xlarge");
  CHECK(p4de.prices.on_demand == 27.44705);
  CHECK(p4de.prices.committed_1y == 17.401365);
  const Instance& g5 = at(c, "aws:g5.xlarge");
  CHECK(g5.prices.on_demand == 1.006);
  CHECK(g5.prices.committed_1y == 0.63378);
  CHECK(at(c, "aws:p5en.48xlarge").prices.on_demand == 63.296);
  const Instance& trn1 = at(c, "aws:trn1.32xlarge");
  CHECK(trn1.prices.on_demand == 21.5);
  CHECK(trn1.prices.committed_1y == 13.22895);
  // Only All Upfront for 3 years: a $0 hourly dimension plus an Upfront Fee over 3 x 8760 h.
  CHECK(trn1.prices.committed_3y == Approx(229400.0 / 26280.0).epsilon(1e-9));
  CHECK_THAT(trn1.source_of(PricingModel::kCommitted3y).source,
             Catch::Contains("upfront fee spread over 26280 hours"));
  CHECK(trn1.gpu.empty());  // Trainium: a spec cirrus cannot simulate

  // Capacity-Block-only types are listed with every price null, never 0.
  const Instance& trn2 = at(c, "aws:trn2.48xlarge");
  CHECK_FALSE(trn2.prices.on_demand.has_value());
  CHECK_THAT(trn2.note, Catch::Contains("Capacity Blocks"));
  const Instance& p5e = at(c, "aws:p5e.48xlarge");
  CHECK_FALSE(p5e.prices.on_demand.has_value());
  CHECK_FALSE(p5e.prices.committed_1y.has_value());
  CHECK(p5e.gpu == "h200-sxm");
  CHECK_THAT(p5e.note,
             Catch::Contains(p5e_product_listed ? "no on-demand term" : "Capacity Blocks only"));
  CHECK(at(c, "aws:m7i.large").gpus == 0.0);
  // Nothing else: no Dedicated Host "p4d", no data transfer, no EBS.
  CHECK(c.instances.size() == 9);
  for (const Instance& in : c.instances) {
    for (const PricingModel m : kPricingModels) {
      if (const auto p = in.prices.get(m)) CHECK(*p > 0);
    }
  }
}

}  // namespace

TEST_CASE("real-like aws-offer JSON, CSV (BOM, CRLF) and location-only JSON agree",
          "[pricing][real_like]") {
  SECTION("JSON with regionCode") {
    check_aws_us_east_1(import_aws_offer(real_files({"aws_offer_us-east-1.json"}), {}), true);
  }
  SECTION("CSV: five metadata lines, 91 quoted columns, a byte-order mark, CRLF") {
    // The CSV has no row for the p5e Linux SKU (it has no term): p5e comes from its Capacity
    // Block row.
    check_aws_us_east_1(import_aws_offer(real_files({"aws_offer_us-east-1.csv"}), {}), false);
  }
  SECTION("JSON without regionCode, terms before products: regions by location name") {
    check_aws_us_east_1(import_aws_offer(real_files({"aws_offer_location_only.json"}), {}), true);
  }
}

TEST_CASE("real-like aws-offer: the get-products answer (PriceList of JSON text)",
          "[pricing][real_like]") {
  const Catalog c = import_aws_offer(real_files({"aws_get_products.json"}), {});
  CHECK(c.instances.size() == 2);
  CHECK(at(c, "aws:p5.48xlarge").prices.on_demand == 55.04);
  const Instance& p4d = at(c, "aws:p4d.24xlarge");
  CHECK(p4d.prices.on_demand == 21.957642);
  CHECK(p4d.prices.committed_1y == 13.921094);
  CHECK(p4d.source.retrieved == "2025-11-20");
  require_input_error(
      [&] {
        import_aws_offer({inline_file("pl.json", R"({"PriceList": ["{\"product\": {"]})")}, {});
      },
      "pl.json", "PriceList[0]");
}

TEST_CASE("real-like aws-offer: the reserved terms' order does not choose the 1-year price",
          "[pricing][real_like]") {
  // Reverse the order of every SKU's Reserved terms (ordered_json keeps the file's order).
  auto doc = nlohmann::ordered_json::parse(read_file(real("aws_offer_us-east-1.json")));
  for (auto& [sku, terms] : doc["terms"]["Reserved"].items()) {
    nlohmann::ordered_json reversed = nlohmann::ordered_json::object();
    std::vector<std::pair<std::string, nlohmann::ordered_json>> items;
    for (auto& [code, term] : terms.items()) items.emplace_back(code, term);
    for (auto it = items.rbegin(); it != items.rend(); ++it) reversed[it->first] = it->second;
    terms = reversed;
  }
  const Catalog c = import_aws_offer({inline_file("reversed.json", doc.dump())}, {});
  CHECK(at(c, "aws:p4d.24xlarge").prices.committed_1y == 13.921094);
  CHECK(at(c, "aws:p4d.24xlarge").prices.committed_3y == 9.46);
  CHECK(at(c, "aws:g5.xlarge").prices.committed_1y == 0.63378);
}

TEST_CASE("real-like aws-offer: other regions, local zones, location names",
          "[pricing][real_like]") {
  ImportOptions west;
  west.region = "us-west-2";
  for (const char* f :
       {"aws_offer_us-east-1.json", "aws_offer_us-east-1.csv", "aws_offer_location_only.json"}) {
    INFO(f);
    const Catalog c = import_aws_offer(real_files({f}), west);
    CHECK(c.instances.size() == 2);
    CHECK(at(c, "aws:p5.48xlarge").prices.on_demand == 55.04);
    CHECK(at(c, "aws:p4d.24xlarge").prices.on_demand == 22.5);
    CHECK(at(c, "aws:p4d.24xlarge").prices.committed_1y == 12.0);
  }
  ImportOptions atlanta;
  atlanta.region = "us-east-1-atl-2";  // a Local Zone has its own region code
  const Catalog lz = import_aws_offer(real_files({"aws_offer_us-east-1.json"}), atlanta);
  CHECK(at(lz, "aws:p5.48xlarge").prices.on_demand == 61.8);
  ImportOptions by_name;
  by_name.region = "US East (N. Virginia)";
  const Catalog named = import_aws_offer(real_files({"aws_offer_us-east-1.csv"}), by_name);
  CHECK(at(named, "aws:p5.48xlarge").prices.on_demand == 55.04);
  CHECK(at(named, "aws:p5.48xlarge").region == "us-east-1");
  ImportOptions none;
  none.region = "eu-west-1";
  require_input_error([&] { import_aws_offer(real_files({"aws_offer_us-east-1.json"}), none); },
                      "aws_offer_us-east-1.json",
                      "regions in the file: us-east-1, us-east-1-atl-2, us-west-2");
}

TEST_CASE("real-like aws-offer CSV: a ragged or cut row is an error, not a missing instance",
          "[pricing][real_like]") {
  const std::string csv = read_file(real("aws_offer_us-east-1.csv"));
  // Cut right after the first price: the last row has 11 of the header's 91 fields.
  const auto price = csv.find("\"55.0400000000\"");
  REQUIRE(price != std::string::npos);
  require_input_error(
      [&] { import_aws_offer({inline_file("cut.csv", csv.substr(0, price + 16))}, {}); }, "cut.csv",
      "91 fields");
  // A row missing its last fields in the middle of the file.
  std::string ragged = csv;
  const auto row_end = ragged.find("\r\n", price);
  const auto cut_from = ragged.rfind("\",\"", row_end - 30);
  ragged.erase(cut_from + 1, row_end - cut_from - 1);
  require_input_error([&] { import_aws_offer({inline_file("ragged.csv", ragged)}, {}); },
                      "ragged.csv", "a truncated or malformed row");
}

// ---- Azure ----

namespace {

void check_azure_eastus(const Catalog& c) {
  const Instance& h100 = at(c, "azure:Standard_ND96isr_H100_v5");
  // Not the Windows (102.184), DevTest (70), Low Priority (19.664), non-primary meter (89.1),
  // eastus2 or westeurope item.
  CHECK(h100.prices.on_demand == 98.32);
  CHECK_FALSE(h100.prices.spot.has_value());  // the Spot meter equals on-demand
  CHECK_THAT(h100.note, Catch::Contains("no spot offer"));
  // Reservations: retailPrice is the term's total; a reservation wins over the savings plan.
  CHECK(h100.prices.committed_1y == Approx(538302.0 / 8760).epsilon(1e-9));
  CHECK(h100.prices.committed_3y == Approx(1085364.0 / 26280).epsilon(1e-9));
  CHECK(h100.gpus == 8.0);
  CHECK(h100.gpu == "h100-sxm");
  const Instance& a100 = at(c, "azure:Standard_ND96amsr_A100_v4");
  CHECK(a100.prices.on_demand == 32.77);
  CHECK(a100.prices.spot == 3.6047);  // not the Windows spot meter (4.1)
  CHECK(a100.prices.committed_1y == Approx(172000.0 / 8760).epsilon(1e-9));
  const Instance& nc = at(c, "azure:Standard_NC24ads_A100_v4");
  CHECK(nc.prices.on_demand == 3.673);  // not "Cloud Services" (3.9)
  CHECK(nc.prices.spot == 0.444433);
  CHECK(nc.prices.committed_1y == 2.6);  // savings plan, hourly: no reservation item
  CHECK(nc.prices.committed_3y == 1.9);
  const Instance& nch = at(c, "azure:Standard_NC40ads_H100_v5");
  CHECK(nch.prices.on_demand == 6.98);  // not "... Srs Win" (8.82)
  CHECK_FALSE(nch.prices.spot.has_value());
  // ND H200 v5 has only a 0-priced preview item: not offered, not free.
  CHECK(find(c, "azure:Standard_ND96isr_H200_v5") == nullptr);
  CHECK(c.instances.size() == 4);
}

}  // namespace

TEST_CASE("real-like azure-retail: two pages, every decoy", "[pricing][real_like]") {
  check_azure_eastus(import_azure_retail(real_files({"azure_page1.json", "azure_page2.json"}), {}));
  // The pages appended to one file, or the items gathered into one JSON array.
  const std::string p1 = read_file(real("azure_page1.json"));
  const std::string p2 = read_file(real("azure_page2.json"));
  check_azure_eastus(import_azure_retail({inline_file("pages.json", p1 + p2)}, {}));
  nlohmann::json items = nlohmann::json::array();
  for (const auto& page : {p1, p2}) {
    const nlohmann::json doc = nlohmann::json::parse(page);
    for (const auto& item : doc["Items"]) items.push_back(item);
  }
  check_azure_eastus(import_azure_retail({inline_file("items.json", items.dump())}, {}));
  ImportOptions west;
  west.region = "westeurope";
  CHECK(at(import_azure_retail(real_files({"azure_page1.json", "azure_page2.json"}), west),
           "azure:Standard_ND96isr_H100_v5")
            .prices.on_demand == 107.0);
  ImportOptions upper;
  upper.region = "EastUS";
  CHECK(at(import_azure_retail(real_files({"azure_page1.json", "azure_page2.json"}), upper),
           "azure:Standard_ND96isr_H100_v5")
            .prices.on_demand == 98.32);
}

// ---- GCP ----

namespace {

// REFERENCE §1b: a3-highgpu-8g = 208 vCPU x A3 core + 1872 GiB x A3 RAM (9.46006, the "VM
// part") + 8 x H100 9.79655125 (78.37241) = 87.83247; the 6000 GiB auto-attached local SSD is
// billed apart and not in the figure.
constexpr double kA3Vm = 208 * 0.02513 + 1872 * 0.002261228;
constexpr double kA3 = kA3Vm + 8 * 9.79655125;

void check_gcp_us_central1(const Catalog& c) {
  const Instance& a3 = at(c, "gcp:a3-highgpu-8g");
  CHECK(kA3Vm == Approx(9.46006).margin(1e-5));
  CHECK(a3.prices.on_demand == Approx(kA3).epsilon(1e-9));
  CHECK(a3.prices.on_demand == Approx(87.83247).margin(1e-5));
  // Every decoy is recognised (Reserved, DWS, Dynamic Workload Scheduler, Calendar mode,
  // Plus, Mega, Sole Tenancy Premium): no two SKUs competed for a component.
  CHECK_THAT(a3.note, !Catch::Contains("several SKUs"));
  CHECK_THAT(a3.note, Catch::Contains("local SSD not included"));
  CHECK(a3.prices.spot == Approx(208 * 0.007675 + 1872 * 0.0006907 + 8 * 2.9926).epsilon(1e-9));
  // Only the GPU has a commitment SKU: no committed price for the machine.
  CHECK_FALSE(a3.prices.committed_1y.has_value());
  const Instance& mega = at(c, "gcp:a3-megagpu-8g");
  CHECK(mega.prices.on_demand == Approx(kA3Vm + 8 * 10.34427625).epsilon(1e-9));
  CHECK(mega.prices.on_demand == Approx(92.21427).margin(1e-5));
  CHECK_THAT(mega.note, Catch::Contains("priced with the \"A3 Instance Core"));
  const Instance& a2 = at(c, "gcp:a2-highgpu-8g");
  CHECK(a2.prices.on_demand == Approx(96 * 0.031611 + 680 * 0.004237 + 8 * 2.933908));
  CHECK(a2.prices.on_demand == Approx(29.38708).margin(1e-5));
  CHECK(a2.prices.committed_1y == Approx(96 * 0.019915 + 680 * 0.002669 + 8 * 1.848362));
  CHECK(a2.prices.committed_3y == Approx(96 * 0.011064 + 680 * 0.001483 + 8 * 1.026868));
  CHECK(at(c, "gcp:g2-standard-4").prices.on_demand ==
        Approx(4 * 0.024988 + 16 * 0.002928 + 0.56004));
  CHECK(find(c, "gcp:a3-ultragpu-8g") == nullptr);  // no H200 SKU in the files
  CHECK(c.instances.front().source.retrieved == "2025-10-30");
}

}  // namespace

TEST_CASE("real-like gcp-skus: pages, gcloud's array, concatenated pages", "[pricing][real_like]") {
  check_gcp_us_central1(
      import_gcp_skus(real_files({"gcp_skus_page1.json", "gcp_skus_page2.json"}), {}));
  check_gcp_us_central1(import_gcp_skus(real_files({"gcp_skus_gcloud.json"}), {}));
  const std::string both =
      read_file(real("gcp_skus_page1.json")) + "\n" + read_file(real("gcp_skus_page2.json"));
  check_gcp_us_central1(import_gcp_skus({inline_file("pages.json", both)}, {}));
  const std::string array = "[" + read_file(real("gcp_skus_page1.json")) + "," +
                            read_file(real("gcp_skus_page2.json")) + "]";
  check_gcp_us_central1(import_gcp_skus({inline_file("array.json", array)}, {}));

  ImportOptions ssd;
  ssd.gcp_include_local_ssd = true;
  const Catalog with_ssd =
      import_gcp_skus(real_files({"gcp_skus_page1.json", "gcp_skus_page2.json"}), ssd);
  CHECK(at(with_ssd, "gcp:a3-highgpu-8g").prices.on_demand ==
        Approx(kA3 + 6000 * 0.08 / 730).epsilon(1e-9));
  ImportOptions eu;
  eu.region = "europe-west4";
  eu.retrieved = "2026-11-30";
  const Catalog europe = import_gcp_skus(real_files({"gcp_skus_page1.json"}), eu);
  CHECK(at(europe, "gcp:a3-highgpu-8g").prices.on_demand ==
        Approx(208 * 0.02764 + 1872 * 0.002487 + 8 * 10.776).epsilon(1e-9));
  CHECK(europe.instances.size() == 1);
}

TEST_CASE("gcp-skus: a free first tier is skipped, the first paid tier prices the SKU",
          "[pricing][real_like]") {
  auto doc = nlohmann::json::parse(read_file(real("gcp_skus_page1.json")));
  for (auto& sku : doc["skus"]) {
    if (sku["description"] == "A3 Instance Core running in Americas") {
      // 0 for the first 100 vCPU-hours, 0.02513 from there, 0.02 beyond 1e6.
      sku["pricingInfo"][0]["pricingExpression"]["tieredRates"] = nlohmann::json::parse(R"([
          {"unitPrice": {"currencyCode": "USD"}},
          {"startUsageAmount": 1000000, "unitPrice": {"currencyCode": "USD", "nanos": 20000000}},
          {"startUsageAmount": 100, "unitPrice": {"currencyCode": "USD", "units": "0",
                                                  "nanos": 25130000}}])");
    }
  }
  const Catalog c = import_gcp_skus({inline_file("tiers.json", doc.dump())}, {});
  CHECK(at(c, "gcp:a3-highgpu-8g").prices.on_demand == Approx(kA3).epsilon(1e-9));
}

TEST_CASE("gcp-skus: a component priced 0 leaves the machine unpriced", "[pricing][real_like]") {
  auto doc = nlohmann::json::parse(read_file(real("gcp_skus_page1.json")));
  for (auto& sku : doc["skus"]) {
    if (sku["description"] == "Nvidia H100 80GB GPU running in Americas") {
      sku["pricingInfo"][0]["pricingExpression"]["tieredRates"][0]["unitPrice"] = {
          {"currencyCode", "USD"}, {"units", "0"}};
    }
  }
  const Catalog c = import_gcp_skus({inline_file("zero.json", doc.dump())}, {});
  // Not 9.46006 (the GPUs are not free): on-demand unknown, the spot SKUs still price it.
  const Instance& a3 = at(c, "gcp:a3-highgpu-8g");
  CHECK_FALSE(a3.prices.on_demand.has_value());
  CHECK(a3.prices.spot.has_value());
  CHECK(at(c, "gcp:a3-megagpu-8g").prices.on_demand.has_value());  // its own GPU SKU
}

// ---- SkyPilot ----

TEST_CASE("real-like skypilot v8 aws: per-zone rows, empty Price, Python-literal GpuInfo",
          "[pricing][real_like]") {
  const Catalog c = import_skypilot(real_files({"skypilot_aws_v8_vms.csv"}), sky_dated());
  CHECK(c.provider == "aws");
  const Instance& p5 = at(c, "aws:p5.48xlarge");
  CHECK(p5.prices.on_demand == 55.04);
  // Zones 1a 17.63, 1b 25.75, 1d 21.2; 1c and 1f have spot = on-demand (no market there).
  CHECK(p5.prices.spot == Approx((17.63 + 25.75) / 2).epsilon(1e-9));
  CHECK_THAT(p5.note, Catch::Contains("midpoint of 3 zones' range 17.63 - 25.75"));
  CHECK_THAT(p5.note, Catch::Contains("2 zones with spot = on-demand"));
  const Instance& p5e = at(c, "aws:p5e.48xlarge");
  CHECK_FALSE(p5e.prices.on_demand.has_value());  // empty Price: never 0
  CHECK_FALSE(p5e.prices.spot.has_value());       // us-east-2's spot is another region's
  CHECK_FALSE(at(c, "aws:p5.4xlarge").prices.spot.has_value());
  CHECK(at(c, "aws:p4d.24xlarge").prices.spot == Approx((2.47 + 8.19) / 2).epsilon(1e-9));
  CHECK(at(c, "aws:g6f.large").gpus == 0.125);
  CHECK(at(c, "aws:trn1.32xlarge").prices.on_demand == 21.5);  // GpuInfo with None, True
  CHECK(c.instances.size() == 7);
}

TEST_CASE("real-like skypilot v8 gcp: VM row + the zones' GPU rows", "[pricing][real_like]") {
  const Catalog c = import_skypilot(real_files({"skypilot_gcp_v8_vms.csv"}), sky_dated());
  CHECK(c.provider == "gcp");
  const Instance& a3 = at(c, "gcp:a3-highgpu-8g");
  // Zone c's GPU row came from a discounted SKU (8 x 4.20076): the list price is kept.
  CHECK(a3.prices.on_demand == Approx(9.46006 + 78.37241).epsilon(1e-9));
  CHECK_THAT(a3.note, Catch::Contains("the zones' GPU rows disagree"));
  // Spot per zone, VM row + the same zone's GPU row: a, b 2.88933 + 23.9408; c 2.7 + 20.0.
  CHECK(a3.prices.spot == Approx((2.88933 + 23.9408 + 2.7 + 20.0) / 2).epsilon(1e-9));
  CHECK(at(c, "gcp:a2-highgpu-1g").prices.on_demand == Approx(3.67339).epsilon(1e-9));
  ImportOptions eu;
  eu.region = "europe-west4";
  eu.retrieved = "2026-11-30";
  const Catalog europe = import_skypilot(real_files({"skypilot_gcp_v8_vms.csv"}), eu);
  // A VM row without GPU rows is only the vCPU and memory part: unknown, not 10.41.
  const Instance& a3eu = at(europe, "gcp:a3-highgpu-8g");
  CHECK_FALSE(a3eu.prices.on_demand.has_value());
  CHECK_FALSE(a3eu.prices.spot.has_value());
  CHECK_THAT(a3eu.note, Catch::Contains("no GPU row"));
}

TEST_CASE("real-like skypilot v6 azure and v8 lambda", "[pricing][real_like]") {
  const Catalog azure = import_skypilot(real_files({"skypilot_azure_v6_vms.csv"}), sky_dated());
  const Instance& h100 = at(azure, "azure:Standard_ND96isr_H100_v5");
  CHECK(h100.prices.on_demand == 98.32);
  CHECK_FALSE(h100.prices.spot.has_value());
  CHECK(h100.gpus == 8.0);  // the catalog's 12 is corrected by cirrus's table, and noted
  CHECK_THAT(h100.note, Catch::Contains("the file says 12 accelerators"));
  CHECK_THAT(h100.note, Catch::Contains("SpotPrice equals Price"));
  CHECK(at(azure, "azure:Standard_ND96amsr_A100_v4").prices.spot == 3.6047);
  CHECK(at(azure, "azure:Standard_NV6ads_A10_v5").gpus == Approx(1.0 / 6));
  const Catalog lambda = import_skypilot(real_files({"skypilot_lambda_v8_vms.csv"}), sky_dated());
  CHECK(lambda.instances.size() == 2);
  CHECK(at(lambda, "lambda:gpu_8x_h100_sxm5").prices.on_demand == 31.92);
  CHECK(at(lambda, "lambda:gpu_8x_h100_sxm5").region == "us-east-1");
}

TEST_CASE("skypilot: the cloud from the catalog's directory, ragged rows refused",
          "[pricing][real_like]") {
  // A RunPod-style name would be taken for GCP; catalogs/v8/aws/vms.csv says AWS.
  const std::string csv =
      "InstanceType,AcceleratorName,AcceleratorCount,vCPUs,MemoryGiB,Price,SpotPrice,Region\n"
      "1x_H100_SECURE,H100,1,16,128,3.99,,us-east-1\n";
  CHECK(import_skypilot({inline_file("catalogs/v8/aws/vms.csv", csv)}, sky_dated()).provider ==
        "aws");
  const std::string sky = read_file(real("skypilot_aws_v8_vms.csv"));
  const auto second = sky.find('\n') + 1;
  const std::string ragged =
      sky.substr(0, second) + "p5.48xlarge,H100,8.0,192.0\n" + sky.substr(second);
  require_input_error([&] { import_skypilot({inline_file("ragged.csv", ragged)}, sky_dated()); },
                      "ragged.csv", "line 2: expected 11 fields");
}

TEST_CASE("skypilot: a row without a region is refused at its line", "[pricing][real_like]") {
  // Found by skypilot_fuzz: a Lambda-like row with an empty Region reached the catalog check
  // as an instance of region "" (an uncaught std::invalid_argument, not one line).
  const std::string csv =
      "InstanceType,AcceleratorName,AcceleratorCount,vCPUs,MemoryGiB,Price,Region\n"
      "gpu_8x_h100_sxm5,H100,8,208,1800,31.92,us-east-1\n"
      "gpu_1x_gh200,GH200,1,64,432,3.19,\n";
  require_input_error([&] { import_skypilot({inline_file("lambda.csv", csv)}, sky_dated()); },
                      "lambda.csv", "line 3: Region");
}

// ---- Bad input through the CLI ----

TEST_CASE("catalog import of bad real-like input: exit 3, the file named, no file written",
          "[pricing][real_like][cli]") {
  using namespace cirrus::testing;
  namespace fs = std::filesystem;
  const std::string dir = scratch_dir() + "/real_like_bad";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string out = dir + "/out/catalog.json";
  fs::create_directories(dir + "/out");
  const std::string aws_json = slurp(real("aws_offer_us-east-1.json"));
  const std::string aws_csv = slurp(real("aws_offer_us-east-1.csv"));
  const std::string azure = slurp(real("azure_page1.json"));
  const std::string gcp = slurp(real("gcp_skus_page1.json"));
  write_text(dir + "/aws_cut.json", aws_json.substr(0, aws_json.size() / 3));
  write_text(dir + "/aws_cut.csv", aws_csv.substr(0, aws_csv.find("\"21.9576420000\"") + 16));
  write_text(dir + "/azure_cut.json", azure.substr(0, azure.size() / 2));
  write_text(dir + "/gcp_cut.json", gcp.substr(0, gcp.size() - 40));
  write_text(dir + "/gcp_second_page_cut.json", gcp + gcp.substr(0, gcp.size() / 2));
  write_text(dir + "/empty.json", "");
  write_text(dir + "/html.json", "<html><body>AccessDenied</body></html>\n");
  struct Case {
    const char* format;
    std::string file;
    const char* words;
    std::string options;
  };
  const std::vector<Case> cases = {
      {"aws-offer", dir + "/aws_cut.json", "well-formed JSON", ""},
      {"aws-offer", dir + "/aws_cut.csv", "a truncated or malformed row", ""},
      {"azure-retail", dir + "/azure_cut.json", "well-formed JSON", ""},
      {"gcp-skus", dir + "/gcp_cut.json", "well-formed JSON", ""},
      {"gcp-skus", dir + "/gcp_second_page_cut.json", "in the JSON document that starts on", ""},
      {"aws-offer", dir + "/empty.json", "empty file", ""},
      {"azure-retail", dir + "/empty.json", "empty file", ""},
      {"gcp-skus", dir + "/empty.json", "empty file", ""},
      {"skypilot", dir + "/empty.json", "empty file", ""},
      {"azure-retail", dir + "/html.json", "text starting \"<html>", ""},
      // Files of another format.
      {"aws-offer", real("azure_page1.json"), "Azure Retail Prices response", ""},
      {"aws-offer", real("skypilot_aws_v8_vms.csv"), "CSV text", ""},
      {"azure-retail", real("aws_offer_us-east-1.json"), "AWS Price List offer file", ""},
      {"azure-retail", real("aws_offer_us-east-1.csv"), "CSV text", ""},
      {"gcp-skus", real("skypilot_gcp_v8_vms.csv"), "CSV text", ""},
      {"gcp-skus", real("azure_page2.json"), "Azure Retail Prices response", ""},
      {"skypilot", real("aws_offer_us-east-1.csv"), "header without \"InstanceType\"", ""},
      {"skypilot", real("gcp_skus_page1.json"), "SkyPilot catalog CSV header", ""},
      {"aws-offer", source_path("pricing/catalogs/aws.json"), "a cirrus catalog", ""},
      // A region with no rows.
      {"aws-offer", real("aws_offer_us-east-1.json"), "regions in the file", "--region eu-west-1"},
      {"aws-offer", real("aws_offer_us-east-1.csv"), "regions in the file", "--region eu-west-1"},
      {"azure-retail", real("azure_page1.json"), "regions in the file", "--region northeurope"},
      {"gcp-skus", real("gcp_skus_page2.json"), "regions in the file", "--region asia-east1"},
      {"skypilot", real("skypilot_lambda_v8_vms.csv"), "regions in the file",
       "--region mars-1 --retrieved 2026-11-30"},
  };
  for (const Case& c : cases) {
    INFO(c.format << " " << c.file << " " << c.options);
    const CliRun r = run_cli(
        fmt::format("catalog import --format {} {} {} -o {}", c.format, c.file, c.options, out));
    CHECK(r.status == 3);
    CHECK_THAT(r.err, Catch::StartsWith("cirrus: " + c.file));
    CHECK_THAT(r.err, Catch::Contains(c.words));
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);  // one line
    CHECK(r.out.empty());
    CHECK_FALSE(fs::exists(out));
    CHECK(fs::is_empty(dir + "/out"));  // no temporary file left beside it either
  }
  // And the good files do write it.
  const CliRun ok = run_cli("catalog import --format aws-offer " + real("aws_offer_us-east-1.csv") +
                            " -o " + out);
  CHECK(ok.status == 0);
  CHECK(fs::exists(out));
}
