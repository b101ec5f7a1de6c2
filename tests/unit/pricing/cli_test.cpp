// `cirrus catalog` and `cirrus price` end to end: exit statuses, messages naming the file, and
// no output file after an error.
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "../../golden/cli_support.hpp"
#include "pricing/catalog.hpp"

namespace {

using namespace cirrus::testing;

std::string fixture(const std::string& name) { return source_path("tests/data/pricing/" + name); }

}  // namespace

TEST_CASE("catalog import writes a catalog the reader accepts", "[pricing][cli]") {
  const std::string out = scratch_dir() + "/imported_aws.json";
  std::filesystem::remove(out);
  const CliRun r =
      run_cli("catalog import --format aws-offer " + fixture("aws_offer.csv") + " -o " + out);
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto c = cirrus::pricing::read_catalog(out);
  REQUIRE(c.instances.size() == 4);
  const CliRun list = run_cli("catalog list --provider aws --catalog " + out);
  CHECK(list.status == 0);
  CHECK_THAT(list.out, Catch::Contains("aws:m7i.large"));      // the imported catalog
  CHECK_THAT(list.out, Catch::Contains("aws:p5en.48xlarge"));  // the shipped one
}

TEST_CASE("catalog import errors: exit 3 or 5, the file named, nothing written", "[pricing][cli]") {
  const std::string out = scratch_dir() + "/never.json";
  std::filesystem::remove(out);
  CliRun r =
      run_cli("catalog import --format aws-offer " + fixture("azure_page1.json") + " -o " + out);
  CHECK(r.status == 3);
  CHECK_THAT(r.err, Catch::StartsWith("cirrus: " + fixture("azure_page1.json")));
  CHECK_FALSE(std::filesystem::exists(out));
  r = run_cli("catalog import --format gcp-skus " + fixture("gcp_skus.json") +
              " --region mars-north1 -o " + out);
  CHECK(r.status == 3);
  CHECK_THAT(r.err, Catch::Contains("mars-north1"));
  CHECK_FALSE(std::filesystem::exists(out));
  const std::string cut = scratch_dir() + "/cut.json";
  write_text(cut, slurp(fixture("azure_page1.json")).substr(0, 300));
  r = run_cli("catalog import --format azure-retail " + cut + " -o " + out);
  CHECK(r.status == 3);
  CHECK_THAT(r.err, Catch::Contains("cut.json"));
  CHECK_FALSE(std::filesystem::exists(out));
  r = run_cli("catalog import --format skypilot " + scratch_dir() + "/missing.csv -o " + out);
  CHECK(r.status == 5);
  CHECK_FALSE(std::filesystem::exists(out));
  r = run_cli("catalog import --format excel " + fixture("aws_offer.csv") + " -o " + out);
  CHECK(r.status == 2);
}

TEST_CASE("catalog show suggests a close id", "[pricing][cli]") {
  const CliRun ok = run_cli("catalog show gcp:a3-highgpu-8g");
  CHECK(ok.status == 0);
  CHECK_THAT(ok.out, Catch::Contains("87.83247"));
  CHECK_THAT(ok.out, Catch::Contains("retrieved 2026-11-22"));
  const CliRun bad = run_cli("catalog show gcp:a3-highgpu-8");
  CHECK(bad.status == 3);
  CHECK_THAT(bad.err, Catch::Contains("did you mean 'gcp:a3-highgpu-8g'"));
}

TEST_CASE("price prints every pricing model with the catalog's source and date", "[pricing][cli]") {
  const std::string scenario = source_path("scenarios/examples/llama3-70b-h100.json");
  const CliRun r = run_cli("price " + scenario);
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Catch::Contains("aws:p5.48xlarge"));
  CHECK_THAT(r.out, Catch::Contains("retrieved 2026-01-21"));
  CHECK_THAT(r.out, Catch::Contains("on-demand"));
  CHECK_THAT(r.out, Catch::Contains("committed-3y"));
  CHECK_THAT(r.out, Catch::Contains("retrieved"));
  const CliRun j = run_cli("price " + scenario + " --format json --monte-carlo 200 --seed 3");
  REQUIRE(j.status == 0);
  CHECK_THAT(j.out, Catch::Contains("\"costs\""));
  CHECK_THAT(j.out, Catch::Contains("\"catalog\""));
}

TEST_CASE("price: energy from the simulated compute share, or the given utilization",
          "[pricing][cli]") {
  // Energy = GPUs x TDP x utilization x run time. By default the utilization is the step's
  // compute share (compute + recompute + optimizer over the step), below 1 whenever the step
  // communicates; --gpu-utilization 1 (TDP throughout) is the upper bound, and the two differ
  // by exactly that ratio on the same run time.
  const std::string scenario = source_path("scenarios/examples/llama3-70b-h100.json");
  auto energy = [&](const std::string& extra) {
    const CliRun r = run_cli("price " + scenario + " --format json" + extra);
    INFO(r.err);
    REQUIRE(r.status == 0);
    const auto j = nlohmann::json::parse(r.out);
    return j.at("costs").at(0).at("energy_kwh").get<double>();
  };
  const double lower = energy("");
  const double upper = energy(" --gpu-utilization 1");
  const double half = energy(" --gpu-utilization 0.5");
  CHECK(lower < upper);
  CHECK(lower > 0.3 * upper);
  CHECK(half == Approx(upper / 2));
  const CliRun t = run_cli("price " + scenario);
  CHECK_THAT(t.out, Catch::Contains("the simulated compute share of the step"));
}

TEST_CASE("price needs a catalog instance", "[pricing][cli]") {
  const std::string scenario = source_path("scenarios/examples/llama2-7b-a100.json");
  const CliRun r = run_cli("price " + scenario);
  CHECK(r.status == 3);
  CHECK_THAT(r.err, Catch::Contains("cluster.instance"));
}
