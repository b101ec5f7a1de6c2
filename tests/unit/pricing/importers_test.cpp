// The importers on fixtures written from the documented structure of each provider's file
// (tests/data/pricing/), with the decoys the filtering rules exist for.
#include <catch2/catch.hpp>
#include <string>

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

const Instance& at(const Catalog& c, const std::string& id) {
  if (const Instance* in = find_instance(c, id)) return *in;
  FAIL("no instance " << id);
  throw std::logic_error("unreachable");
}

bool has(const Catalog& c, const std::string& id) { return find_instance(c, id) != nullptr; }

void check_aws(const Catalog& c) {
  CHECK(c.provider == "aws");
  // Windows, RHEL, SUSE, Dedicated, Host, capacity reservations at $0, SQL, Capacity Block,
  // us-west-2 and the data-transfer product are all filtered out.
  REQUIRE(c.instances.size() == 4);
  const Instance& p5 = at(c, "aws:p5.48xlarge");
  CHECK(p5.prices.on_demand == 55.04);  // the June-2025 term beats the older 98.32 one
  CHECK_FALSE(p5.prices.spot.has_value());
  CHECK_FALSE(p5.prices.committed_1y.has_value());  // the Windows RI does not count
  CHECK(p5.gpu == "h100-sxm");
  CHECK(p5.node == "aws-p5");
  CHECK(p5.vcpus == 192.0);
  CHECK(p5.memory_gib == 2048.0);
  CHECK(p5.region == "us-east-1");
  CHECK(p5.source.retrieved == "2025-11-20");
  const Instance& p4d = at(c, "aws:p4d.24xlarge");
  CHECK(p4d.prices.on_demand == 21.957642);
  CHECK(p4d.prices.committed_1y == 13.921094);  // standard No Upfront wins over the others
  CHECK_THAT(p4d.source_of(PricingModel::kCommitted1y).source, Catch::Contains("No Upfront"));
  // 3-yr: Partial Upfront (preferred over All Upfront): 175000 / (3 x 8760) + 4.
  CHECK(p4d.prices.committed_3y == Approx(175000.0 / 26280.0 + 4.0).epsilon(1e-9));
  CHECK(p4d.memory_gib == 1152.0);  // "1,152 GiB"
  const Instance& g5 = at(c, "aws:g5.xlarge");
  CHECK(g5.prices.on_demand == 1.006);
  CHECK(g5.prices.committed_1y == Approx(2800.0 / 8760.0 + 0.3).epsilon(1e-9));
  CHECK(g5.gpu == "a10g");
  const Instance& m7i = at(c, "aws:m7i.large");
  CHECK(m7i.gpus == 0.0);
  CHECK(m7i.gpu.empty());
}

}  // namespace

TEST_CASE("aws-offer JSON: Linux shared on-demand and standard RIs, decoys filtered", "[pricing]") {
  check_aws(import_aws_offer(pricing_files({"aws_offer.json"}), {}));
}

TEST_CASE("aws-offer CSV: the same prices read by header name", "[pricing]") {
  check_aws(import_aws_offer(pricing_files({"aws_offer.csv"}), {}));
}

TEST_CASE("aws-offer: another region, and a region with no rows", "[pricing]") {
  ImportOptions west;
  west.region = "us-west-2";
  const Catalog c = import_aws_offer(pricing_files({"aws_offer.json"}), west);
  REQUIRE(c.instances.size() == 1);
  CHECK(c.instances[0].prices.on_demand == 57.12);
  ImportOptions none;
  none.region = "ap-south-1";
  for (const char* f : {"aws_offer.json", "aws_offer.csv"}) {
    require_input_error([&] { import_aws_offer(pricing_files({f}), none); }, f,
                        "regions in the file: us-east-1, us-west-2");
  }
}

TEST_CASE("aws-offer: truncated, malformed and foreign files are refused, naming the file",
          "[pricing]") {
  const std::string json = read_file(pricing_data("aws_offer.json"));
  require_input_error(
      [&] { import_aws_offer({inline_file("cut.json", json.substr(0, json.size() / 2))}, {}); },
      "cut.json", "well-formed JSON");
  require_input_error([&] { import_aws_offer(pricing_files({"azure_page1.json"}), {}); },
                      "azure_page1.json", "Azure Retail Prices response");
  require_input_error([&] { import_aws_offer(pricing_files({"gcp_skus.json"}), {}); },
                      "gcp_skus.json", "GCP Cloud Billing Catalog");
  require_input_error([&] { import_aws_offer(pricing_files({"skypilot_aws_v8.csv"}), {}); },
                      "skypilot_aws_v8.csv", "header naming SKU, TermType");
  require_input_error([&] { import_aws_offer({inline_file("empty.json", "  \n")}, {}); },
                      "empty.json", "empty file");
  const std::string csv = read_file(pricing_data("aws_offer.csv"));
  require_input_error(
      [&] { import_aws_offer({inline_file("cut.csv", csv.substr(0, csv.find("55.04") - 1))}, {}); },
      "cut.csv", "closing quote");
  std::string bad_price = json;
  bad_price.replace(bad_price.find("\"55.0400000000\""), 15, "\"fifty-five\"");
  require_input_error([&] { import_aws_offer({inline_file("bad.json", bad_price)}, {}); },
                      "bad.json", "pricePerUnit.USD");
  // A number past a double's range is nlohmann's out_of_range, not a parse_error (found by
  // aws_offer_fuzz): the same one line.
  require_input_error(
      [&] {
        import_aws_offer({inline_file("huge.json", "{\"formatVersion\": 4e10480762136}")}, {});
      },
      "huge.json", "number overflow");
}

TEST_CASE("azure-retail: pages merge; Windows, Spot, Low Priority, DevTest handled", "[pricing]") {
  const Catalog c =
      import_azure_retail(pricing_files({"azure_page1.json", "azure_page2.json"}), {});
  CHECK(c.provider == "azure");
  const Instance& h100 = at(c, "azure:Standard_ND96isr_H100_v5");
  CHECK(h100.prices.on_demand == 98.32);
  CHECK_FALSE(h100.prices.spot.has_value());  // the spot meter equals on-demand
  CHECK_FALSE(h100.prices.committed_1y.has_value());
  CHECK(h100.gpu == "h100-sxm");
  CHECK(h100.gpus == 8.0);
  CHECK(h100.region == "eastus");
  const Instance& a100 = at(c, "azure:Standard_ND96amsr_A100_v4");
  CHECK(a100.prices.on_demand == 32.77);
  CHECK(a100.prices.spot == 3.6047);
  // Reservation retailPrice is the term's total.
  CHECK(a100.prices.committed_1y == Approx(172000.0 / 8760.0).epsilon(1e-9));
  CHECK(a100.prices.committed_3y == Approx(350000.0 / (3 * 8760.0)).epsilon(1e-9));
  const Instance& nc = at(c, "azure:Standard_NC24ads_A100_v4");
  CHECK(nc.prices.on_demand == 3.673);  // the latest effective date wins over the 2024 price
  CHECK(nc.prices.spot == 0.444433);
  CHECK(nc.prices.committed_1y == 2.6);  // savings plan, when there is no reservation
  CHECK(nc.prices.committed_3y == 1.9);
  CHECK(nc.source.retrieved == "2025-11-05");
  const Instance& d2 = at(c, "azure:Standard_D2s_v5");
  CHECK_FALSE(d2.gpus.has_value());  // not in the table: unknown, not zero
  CHECK(c.instances.size() == 4);
}

TEST_CASE("azure-retail: bad input", "[pricing]") {
  ImportOptions west;
  west.region = "westeurope";
  require_input_error([&] { import_azure_retail(pricing_files({"azure_page1.json"}), west); },
                      "azure_page1.json", "regions in the file: eastus, westus");
  require_input_error([&] { import_azure_retail(pricing_files({"aws_offer.json"}), {}); },
                      "aws_offer.json", "AWS Price List offer file");
  const std::string page = read_file(pricing_data("azure_page1.json"));
  require_input_error(
      [&] { import_azure_retail({inline_file("cut.json", page.substr(0, 500))}, {}); }, "cut.json",
      "well-formed JSON");
  std::string eur = page;
  eur.replace(eur.find("\"currencyCode\": \"USD\""), 21, "\"currencyCode\": \"EUR\"");
  require_input_error([&] { import_azure_retail({inline_file("eur.json", eur)}, {}); }, "eur.json",
                      "USD");
}

TEST_CASE("gcp-skus: machines composed from vCPU, RAM and GPU SKUs, discounted SKUs ignored",
          "[pricing]") {
  const Catalog c = import_gcp_skus(pricing_files({"gcp_skus.json"}), {});
  CHECK(c.provider == "gcp");
  const Instance& a3 = at(c, "gcp:a3-highgpu-8g");
  // 208 x 0.02513 + 1872 x 0.002261228 + 8 x 9.79655125
  const double od = 208 * 0.02513 + 1872 * 0.002261228 + 8 * 9.79655125;
  CHECK(a3.prices.on_demand == Approx(od).epsilon(1e-9));
  CHECK(a3.prices.on_demand == Approx(87.83247).margin(1e-3));
  CHECK(a3.prices.spot == Approx(208 * 0.007675 + 1872 * 0.0006907 + 8 * 2.9926).epsilon(1e-9));
  CHECK_FALSE(a3.prices.committed_1y.has_value());  // no A3 core/RAM commitment SKUs
  CHECK(a3.gpu == "h100-sxm");
  CHECK(a3.node == "gcp-a3-highgpu");
  CHECK_THAT(a3.note, Catch::Contains("local SSD not included"));
  CHECK(at(c, "gcp:a3-megagpu-8g").prices.on_demand ==
        Approx(208 * 0.02513 + 1872 * 0.002261228 + 8 * 10.34427625).epsilon(1e-9));
  const Instance& a2 = at(c, "gcp:a2-highgpu-1g");
  CHECK(a2.prices.on_demand == Approx(3.673385).epsilon(1e-9));
  CHECK(a2.prices.committed_1y == Approx(12 * 0.019915 + 85 * 0.002669 + 1.848362).epsilon(1e-9));
  CHECK(at(c, "gcp:a2-highgpu-8g").prices.on_demand ==
        Approx(96 * 0.031611 + 680 * 0.004237 + 8 * 2.933908).epsilon(1e-9));
  CHECK(at(c, "gcp:g2-standard-96").prices.on_demand ==
        Approx(96 * 0.024988 + 384 * 0.002928 + 8 * 0.56004).epsilon(1e-9));
  CHECK(has(c, "gcp:a2-ultragpu-8g"));
  CHECK_FALSE(has(c, "gcp:a3-ultragpu-8g"));  // no H200 SKU in the fixture
  CHECK(c.instances[0].source.retrieved == "2025-11-01");

  ImportOptions ssd;
  ssd.gcp_include_local_ssd = true;
  const Catalog with_ssd = import_gcp_skus(pricing_files({"gcp_skus.json"}), ssd);
  CHECK(at(with_ssd, "gcp:a3-highgpu-8g").prices.on_demand ==
        Approx(od + 6000 * 0.08 / 730).epsilon(1e-9));
}

TEST_CASE("gcp-skus: another region composes what it can; bad input", "[pricing]") {
  ImportOptions east;
  east.region = "us-east1";
  const Catalog c = import_gcp_skus(pricing_files({"gcp_skus.json"}), east);
  CHECK(has(c, "gcp:a2-highgpu-8g"));
  CHECK_FALSE(has(c, "gcp:a3-highgpu-8g"));
  ImportOptions eu;
  eu.region = "europe-west4";  // an H100 GPU and a core SKU, but no RAM SKU: nothing composes
  require_input_error([&] { import_gcp_skus(pricing_files({"gcp_skus.json"}), eu); },
                      "gcp_skus.json", "none could be composed");
  ImportOptions asia;
  asia.region = "asia-east1";
  require_input_error([&] { import_gcp_skus(pricing_files({"gcp_skus.json"}), asia); },
                      "gcp_skus.json", "regions in the file: europe-west4, us-central1, us-east1");
  require_input_error([&] { import_gcp_skus(pricing_files({"azure_page2.json"}), {}); },
                      "azure_page2.json", "Azure Retail Prices response");
  require_input_error([&] { import_gcp_skus({inline_file("cut.json", "{\"skus\": [{")}, {}); },
                      "cut.json", "well-formed JSON");
}

TEST_CASE("skypilot: v6, v7 and v8 headers in different orders", "[pricing]") {
  const Catalog aws = import_skypilot(pricing_files({"skypilot_aws_v8.csv"}), sky_dated());
  CHECK(aws.provider == "aws");
  const Instance& p5 = at(aws, "aws:p5.48xlarge");
  CHECK(p5.prices.on_demand == 55.04);
  // Zones 17.63, 25.75, 21.0 (the 55.04 zone has no spot market): midpoint of the range.
  CHECK(p5.prices.spot == Approx((17.63 + 25.75) / 2).epsilon(1e-9));
  CHECK_THAT(p5.note, Catch::Contains("1 zone with spot = on-demand"));
  CHECK(p5.gpu == "h100-sxm");
  CHECK_FALSE(at(aws, "aws:p5e.48xlarge").prices.on_demand.has_value());  // empty Price
  const Instance& g6f = at(aws, "aws:g6f.large");
  CHECK(g6f.gpus == 0.125);  // fractional GPU
  CHECK(g6f.gpu == "l4");
  CHECK(at(aws, "aws:m7i.large").gpus == 0.0);
  CHECK(at(aws, "aws:p4d.24xlarge").prices.spot == Approx(5.33).epsilon(1e-9));

  const Catalog gcp = import_skypilot(pricing_files({"skypilot_gcp_v7.csv"}), sky_dated());
  CHECK(gcp.provider == "gcp");
  const Instance& a3 = at(gcp, "gcp:a3-highgpu-8g");
  CHECK(a3.prices.on_demand == Approx(87.83247).epsilon(1e-9));  // VM row + GPU row
  CHECK(a3.prices.spot == Approx(2.88933 + 23.9408).epsilon(1e-9));
  CHECK(at(gcp, "gcp:n1-standard-8").prices.on_demand == 0.379998);

  const Catalog azure = import_skypilot(pricing_files({"skypilot_azure_v6.csv"}), sky_dated());
  CHECK(azure.provider == "azure");
  const Instance& h100 = at(azure, "azure:Standard_ND96isr_H100_v5");
  CHECK(h100.prices.on_demand == 98.32);
  CHECK_FALSE(h100.prices.spot.has_value());  // SpotPrice == Price
  CHECK(h100.gpus == 8.0);                    // the table corrects the catalog's 12
  CHECK(at(azure, "azure:Standard_NV6ads_A10_v5").gpus == Approx(1.0 / 6));

  const Catalog lambda = import_skypilot(pricing_files({"skypilot_lambda_v8.csv"}), sky_dated());
  CHECK(lambda.provider == "lambda");
  CHECK(at(lambda, "lambda:gpu_8x_h100_sxm5").prices.on_demand == 31.92);
  CHECK_FALSE(at(lambda, "lambda:gpu_8x_h100_sxm5").prices.spot.has_value());
}

TEST_CASE("skypilot: bad input", "[pricing]") {
  ImportOptions none;
  none.region = "eu-north-1";
  none.retrieved = "2026-11-30";
  require_input_error([&] { import_skypilot(pricing_files({"skypilot_aws_v8.csv"}), none); },
                      "skypilot_aws_v8.csv", "regions in the file: us-east-1, us-west-2");
  require_input_error([&] { import_skypilot(pricing_files({"aws_offer.csv"}), sky_dated()); },
                      "aws_offer.csv", "SkyPilot catalog CSV header");
  require_input_error(
      [&] {
        import_skypilot({inline_file("bad.csv",
                                     "InstanceType,Price,Region\np5.48xlarge,cheap,"
                                     "us-east-1\n")},
                        sky_dated());
      },
      "bad.csv", "line 2: Price");
  require_input_error(
      [&] {
        import_skypilot({inline_file("cut.csv",
                                     "InstanceType,Price,Region,GpuInfo\np5.48xlarge,"
                                     "55.04,us-east-1,\"{'Gpus': [")},
                        sky_dated());
      },
      "cut.csv", "closing quote");
}

TEST_CASE("CSV names must be UTF-8 text to become catalog JSON", "[pricing]") {
  CHECK(detail::is_clean_text("Standard_ND96isr_H100_v5"));
  CHECK(detail::is_clean_text("caf\xC3\xA9"));
  CHECK_FALSE(detail::is_clean_text("p5\xFF"));
  CHECK_FALSE(detail::is_clean_text("\xC3"));      // truncated
  CHECK_FALSE(detail::is_clean_text("\xC0\xAF"));  // overlong
  CHECK_FALSE(detail::is_clean_text("a\x01b"));    // control character
  require_input_error(
      [&] {
        import_skypilot(
            {inline_file("bin.csv", "InstanceType,Price,Region\np5\xFF,1.0,us-east-1\n")},
            sky_dated());
      },
      "bin.csv", "line 2: InstanceType");
}

TEST_CASE("import_catalog dispatches by format name", "[pricing]") {
  REQUIRE(parse_import_format("aws-offer") == ImportFormat::kAwsOffer);
  REQUIRE(parse_import_format("gcp-skus") == ImportFormat::kGcpSkus);
  CHECK_FALSE(parse_import_format("aws").has_value());
  const Catalog c = import_catalog(ImportFormat::kAwsOffer, pricing_files({"aws_offer.json"}), {});
  CHECK(c.instances.size() == 4);
  ImportOptions dated;
  dated.retrieved = "2026-02-30x";
  require_input_error(
      [&] { import_catalog(ImportFormat::kAwsOffer, pricing_files({"aws_offer.json"}), dated); },
      "", "YYYY-MM-DD");
  // The importers' output passes the strict reader.
  const Catalog back = parse_catalog(write_catalog(c), "round.json");
  CHECK(back.instances.size() == 4);
}

TEST_CASE("importer helpers parse the providers' numbers and dates", "[pricing]") {
  using namespace cirrus::pricing::detail;
  CHECK(parse_decimal("55.0400000000") == 55.04);
  CHECK(parse_decimal("2,048") == 2048.0);
  CHECK_FALSE(parse_decimal("").has_value());
  CHECK_FALSE(parse_decimal("abc").has_value());
  CHECK_FALSE(parse_decimal("nan").has_value());
  CHECK(leading_number("1,152 GiB") == 1152.0);
  CHECK(leading_number("Up to 10 Gigabit") == 10.0);
  CHECK_FALSE(leading_number("Moderate").has_value());
  CHECK(date_part("2025-06-01T00:00:00Z") == "2025-06-01");
  CHECK(date_part("June") == "");
}

TEST_CASE("hostile prices: negative, absurd, binary and undated files are refused",
          "[pricing][limits]") {
  // A negative price is a broken file, never a discount to skip or keep.
  const std::string aws = read_file(pricing_data("aws_offer.csv"));
  std::string negative = aws;
  negative.replace(negative.find("\"55.0400000000\""), 15, "\"-55.0400000000\"");
  require_input_error([&] { import_aws_offer({inline_file("neg.csv", negative)}, {}); }, "neg.csv",
                      "a price in USD >= 0");
  // A binary byte in a price: refused, and the message shows '?' instead of the byte.
  std::string binary = aws;
  binary.replace(binary.find("\"55.0400000000\""), 15, "\"55.04\x01\"");
  try {
    import_aws_offer({inline_file("bin.csv", binary)}, {});
    FAIL("imported a binary price");
  } catch (const InputError& e) {
    CHECK_THAT(std::string(e.what()), Catch::Contains("\"55.04?\""));
  }
  // An absurd one (a unit mistake): over 100,000 USD an hour.
  std::string absurd = aws;
  absurd.replace(absurd.find("\"55.0400000000\""), 15, "\"5504000000\"");
  require_input_error([&] { import_aws_offer({inline_file("big.csv", absurd)}, {}); }, "big.csv",
                      "an hourly price of at most 100000 USD");

  std::string azure = read_file(pricing_data("azure_page1.json"));
  azure.replace(azure.find("\"retailPrice\": 98.32"), 20, "\"retailPrice\": -98.32");
  require_input_error([&] { import_azure_retail({inline_file("neg.json", azure)}, {}); },
                      "neg.json", "a number >= 0");

  std::string gcp = read_file(pricing_data("gcp_skus.json"));
  gcp.replace(gcp.find("\"nanos\": 25130000"), 17, "\"nanos\": -25130000");
  require_input_error([&] { import_gcp_skus({inline_file("neg.json", gcp)}, {}); }, "neg.json",
                      "a price in USD >= 0");

  // SkyPilot files carry no date and the file's time is never used: the user gives it.
  require_input_error(
      [&] { import_skypilot(pricing_files({"skypilot_aws_v8.csv"}), ImportOptions{}); },
      "skypilot_aws_v8.csv", "--retrieved YYYY-MM-DD");
}

TEST_CASE("quoted: file values in messages are short and printable", "[pricing]") {
  CHECK(detail::quoted("55.04") == "\"55.04\"");
  CHECK(detail::quoted(std::string(1 << 20, 'x')) == "\"" + std::string(57, 'x') + "...\"");
  CHECK(detail::quoted("a\x01\xff") == "\"a??\"");
}
