// `cirrus serve` of a disaggregated fleet and of offloaded replicas, and `cirrus report` of a
// serving scenario, through the binary: their output, the same bytes twice (and for any -j),
// and bad input as one line naming the JSON path, exit 3, nothing written.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/golden/cli_support.hpp"

using cirrus::testing::run_cli;
using cirrus::testing::scratch_dir;
using cirrus::testing::slurp;
using cirrus::testing::source_path;
using cirrus::testing::write_scenario;
using cirrus::testing::write_text;

namespace {

const std::string kDisagg = "scenarios/examples/llama3-70b-serving-disagg.json";
const std::string kColocated = "scenarios/examples/llama3-8b-serving-h100.json";

nlohmann::json load(const std::string& file) {
  return nlohmann::json::parse(slurp(source_path(file)));
}

void refused(const std::string& scenario, const std::string& says) {
  const std::string out = scratch_dir() + "/modes-out.json";
  std::filesystem::remove(out);
  const auto r = run_cli("serve " + scenario + " -o " + out);
  INFO(r.err);
  CHECK(r.status == 3);
  CHECK(r.out.empty());
  CHECK_THAT(r.err, Catch::Contains(says));
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK_FALSE(std::filesystem::exists(out));
}

}  // namespace

TEST_CASE("serve: a disaggregated fleet, prefill and decode pools with the KV link",
          "[golden][serving]") {
  const auto table = run_cli("serve " + source_path(kDisagg));
  REQUIRE(table.status == 0);
  CHECK(table.err.empty());
  CHECK_THAT(table.out, Catch::Contains("1 prefill replica x tp 4 + 1 decode replica x tp 4 (8 "
                                        "GPUs)") &&
                            Catch::Contains("KV transfer over nvlink") &&
                            Catch::Contains("pools busy: prefill") &&
                            Catch::Contains("first token is sampled at the prefill replica"));
  CHECK(run_cli("serve " + source_path(kDisagg)).out == table.out);

  const auto json = run_cli("serve " + source_path(kDisagg) + " --format json");
  REQUIRE(json.status == 0);
  const auto j = nlohmann::json::parse(json.out);
  CHECK(j["completed"] == j["requests"]);
  CHECK(j["little"]["relative_error"].get<double>() < 1e-9);
  CHECK(j["disaggregation"]["gpus"] == 8);
  CHECK(j["disaggregation"]["transfer"] == "nvlink");
  CHECK(j["disaggregation"]["transfers"].get<int>() > 0);
  CHECK(j["cost"]["usd_per_hour"].get<double>() > 0);
}

TEST_CASE("serve: bad disaggregation or offload input is one line, exit 3", "[golden][serving]") {
  // Llama 3 70B's weights fill one GPU: a decode pool of tp 1 holds no KV.
  nlohmann::json small = load(kDisagg);
  small["serving"]["disaggregation"]["decode_tp"] = 1;
  refused(write_scenario("disagg-decode-tp1.json", small),
          "disagg-decode-tp1.json: serving.disaggregation.decode_tp: expected a tp whose KV cache "
          "holds the largest request");
  nlohmann::json wide = load(kDisagg);
  wide["serving"]["disaggregation"]["prefill_tp"] = 8;
  refused(write_scenario("disagg-nvlink.json", wide),
          "serving.disaggregation.transfer: expected \"network\" when a prefill and a decode "
          "replica (8 + 4 GPUs) do not fit one 8-GPU node together");
  nlohmann::json both = load(kDisagg);
  both["serving"]["replicas"] = 2;
  refused(write_scenario("disagg-replicas.json", both), "serving.replicas");
  nlohmann::json zero = load(kDisagg);
  zero["serving"]["disaggregation"]["decode_replicas"] = 0;
  refused(write_scenario("disagg-zero.json", zero), "serving.disaggregation.decode_replicas");
  nlohmann::json typo = load(kDisagg);
  typo["serving"]["disaggregation"]["transfer"] = "infiniband";
  refused(write_scenario("disagg-typo.json", typo), "serving.disaggregation.transfer");

  nlohmann::json ring = load(kColocated);
  ring["serving"]["offload"] = {{"gpu_sections", 2}};
  ring["serving"]["tp"] = 2;
  refused(write_scenario("offload-tp2.json", ring), "offload-tp2.json: serving.tp: expected 1");
}

TEST_CASE("serve: offloaded replicas run each iteration as a ring pass", "[golden][serving]") {
  nlohmann::json j = load(kColocated);
  j["model"]["preset"] = "llama3-70b";
  j["serving"]["offload"] = {{"gpu_sections", 2}, {"pcie_gbyte_per_s", 50}};
  j["serving"]["arrivals"] = {{"kind", "poisson"}, {"rate_per_s", 0.5}, {"requests", 20}};
  j["serving"]["input_tokens"] = {{"dist", "fixed"}, {"value", 500}};
  j["serving"]["output_tokens"] = {{"dist", "fixed"}, {"value", 4}};
  j["serving"].erase("slo");
  const auto r = run_cli("serve " + write_scenario("offload.json", j));
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Catch::Contains("offloaded ring of 2 sections") &&
                        Catch::Contains("offload: each iteration is one ring pass") &&
                        Catch::Contains("50.0 GB/s"));
}

TEST_CASE("report: a serving scenario gets latency CDFs and load-latency curves",
          "[golden][serving]") {
  const std::string one = scratch_dir() + "/serving-report-1";
  const std::string two = scratch_dir() + "/serving-report-2";
  std::filesystem::remove_all(one);
  std::filesystem::remove_all(two);
  const auto a = run_cli("report " + source_path(kDisagg) + " --out " + one + " -j 1");
  INFO(a.err);
  REQUIRE(a.status == 0);
  CHECK_THAT(a.out, Catch::Contains("index.html") && Catch::Contains("at 6 loads"));
  const auto b = run_cli("report " + source_path(kDisagg) + " --out " + two + " -j 2");
  REQUIRE(b.status == 0);
  const std::string html = slurp(one + "/index.html");
  CHECK(html == slurp(two + "/index.html"));
  CHECK(slurp(one + "/summary.txt") == slurp(two + "/summary.txt"));
  for (const char* id : {"cdf-ttft", "cdf-tpot", "cdf-e2e", "load-ttft", "load-tpot"}) {
    CHECK_THAT(html, Catch::Contains(std::string("id=\"") + id + "\""));
  }
  CHECK_THAT(html, Catch::Contains("SLO 1000 ms") && Catch::Contains("SLO 100 ms") &&
                       Catch::Contains("Little&#39;s law"));
  CHECK(html.find("<script") == std::string::npos);
  // Each CDF is thinned to at most 500 points ("L" joins them).
  const std::size_t start = html.find("id=\"cdf-e2e\"");
  const std::size_t path = html.find("<path d=\"M", start);
  const std::size_t end = html.find('"', path + 9);
  const std::string d = html.substr(path, end - path);
  CHECK(std::count(d.begin(), d.end(), 'L') <= 499);
  CHECK(std::count(d.begin(), d.end(), 'L') >= 100);
}
