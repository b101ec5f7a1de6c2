// `cirrus serve` with a `serving` block, through the binary: the request-level table and JSON,
// the same bytes twice, a trace replay, and bad input as one line, exit 3 and nothing written.
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

const std::string kExample = "scenarios/examples/llama3-8b-serving-h100.json";

nlohmann::json example() { return nlohmann::json::parse(slurp(source_path(kExample))); }

// A scenario of the example's fleet replaying `trace` (azure-csv) written beside it.
std::string trace_scenario(const std::string& name, const std::string& trace) {
  write_text(scratch_dir() + "/" + name + ".csv", trace);
  nlohmann::json j = example();
  j["serving"].erase("input_tokens");
  j["serving"].erase("output_tokens");
  j["serving"]["arrivals"] = {{"kind", "trace"},
                              {"trace", {{"path", name + ".csv"}, {"format", "azure-csv"}}}};
  return write_scenario(name + ".json", j);
}

}  // namespace

TEST_CASE("serve: a serving block is simulated request by request", "[golden][serving]") {
  const auto table = run_cli("serve " + source_path(kExample));
  REQUIRE(table.status == 0);
  CHECK(table.err.empty());
  CHECK_THAT(table.out, Catch::Contains("request by request") && Catch::Contains("TTFT") &&
                            Catch::Contains("TPOT") && Catch::Contains("Little's law") &&
                            Catch::Contains("per million output tokens") &&
                            Catch::Contains("aws:p5.48xlarge"));

  const auto json = run_cli("serve " + source_path(kExample) + " --format json");
  REQUIRE(json.status == 0);
  const auto j = nlohmann::ordered_json::parse(json.out);
  CHECK(j.begin().key() == "scenario");  // keys in their fixed order, not sorted
  CHECK(j["mode"] == "request-level");
  CHECK(j["requests"] == 10000);
  CHECK(j["completed"] == 10000);
  CHECK(j["little"]["relative_error"].get<double>() < 1e-9);
  // The throughput's error bar: an H100 bf16 run has no serving rows of its own (the shipped
  // ones are fp8), so all 30 pooled, sigma x sqrt(2), no bias.
  const auto& e = j["throughput_error"];
  CHECK(e["known"] == true);
  CHECK(e["rows"] == 30);
  CHECK(e["factor"].get<double>() == Approx(1.414).epsilon(1e-3));
  CHECK(e["bias"].is_null());
  CHECK(e["latencies_validated"] == false);
  CHECK_THAT(table.out, Catch::Contains("error: output tokens/s +/-"));
  const auto& ttft = j["latency_s"]["ttft"];
  CHECK(ttft["p50"].get<double>() <= ttft["p90"].get<double>());
  CHECK(ttft["p90"].get<double>() <= ttft["p99"].get<double>());
  CHECK(j["cost"]["usd_per_million_output_tokens"].get<double>() >
        j["cost"]["usd_per_million_input_tokens"].get<double>());
  // 8 of the p5's 8 GPUs: the whole instance's price.
  CHECK(j["cost"]["usd_per_hour"] == j["cost"]["usd_per_instance_hour"]);

  // The same bytes again (no clock, no unordered iteration reaches the output).
  CHECK(run_cli("serve " + source_path(kExample) + " --format json").out == json.out);
}

TEST_CASE("serve: a trace is replayed from beside the scenario", "[golden][serving]") {
  const std::string scenario = trace_scenario("code-trace",
                                              "TIMESTAMP,ContextTokens,GeneratedTokens\n"
                                              "2023-11-16 18:17:03.9799600,4808,10\n"
                                              "2023-11-16 18:17:04.0319600,3180,8\n"
                                              "2023-11-16 18:17:04.0781490,110,27\n");
  const auto r = run_cli("serve " + scenario + " --format json");
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["requests"] == 3);
  CHECK(j["throughput"]["output_tokens_per_s"].get<double>() > 0);
  CHECK(j["little"]["relative_error"].get<double>() < 1e-9);
}

TEST_CASE("serve: bad serving input is one line, exit 3, nothing written", "[golden][serving]") {
  const std::string out = scratch_dir() + "/serving-out.json";
  const auto refused = [&](const std::string& scenario, const std::string& says) {
    std::filesystem::remove(out);
    const auto r = run_cli("serve " + scenario + " -o " + out);
    INFO(r.err);
    CHECK(r.status == 3);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Catch::Contains(says));
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK_FALSE(std::filesystem::exists(out));
  };
  refused(trace_scenario("unsorted",
                         "TIMESTAMP,ContextTokens,GeneratedTokens\n"
                         "2023-11-16 18:17:04,100,10\n"
                         "2023-11-16 18:17:03,100,10\n"),
          "unsorted.csv: line 3: TIMESTAMP: expected a time no earlier than the row before");
  refused(trace_scenario("no-output",
                         "TIMESTAMP,ContextTokens,GeneratedTokens\n"
                         "2023-11-16 18:17:04,100,0\n"),
          "no-output.csv: line 2: GeneratedTokens");
  // One request larger than a replica's KV cache (131 kB a token on one H100).
  nlohmann::json big = example();
  big["serving"]["input_tokens"] = {{"dist", "fixed"}, {"value", 1000000}};
  refused(write_scenario("kv-too-small.json", big),
          "kv-too-small.json: serving.input_tokens: expected a request one replica's KV cache "
          "can hold");
  refused(trace_scenario("kv-trace",
                         "TIMESTAMP,ContextTokens,GeneratedTokens\n"
                         "2023-11-16 18:17:04,100,10\n"
                         "2023-11-16 18:17:05,1000000,10\n"),
          "kv-trace.csv: line 3: expected a request one replica's KV cache can hold");
  // Llama 3 70B's weights alone fill one GPU.
  nlohmann::json seventy = example();
  seventy["model"]["preset"] = "llama3-70b";
  refused(write_scenario("seventy.json", seventy), "seventy.json: serving.tp");
  nlohmann::json odd = example();
  odd["serving"]["tp"] = 3;
  refused(write_scenario("tp3.json", odd), "serving.tp");
  // Expert parallelism needs experts: Llama 3 8B is dense.
  nlohmann::json dense_ep = example();
  dense_ep["serving"]["expert_parallel"] = true;
  refused(write_scenario("dense-ep.json", dense_ep),
          "dense-ep.json: serving.expert_parallel: expected a Mixture-of-Experts model");
  nlohmann::json bad = example();
  bad["serving"]["arrivals"]["rate_per_s"] = 0;
  refused(write_scenario("rate0.json", bad), "serving.arrivals.rate_per_s");

  // The offloaded mode's options are a usage error with a serving block.
  CHECK(run_cli("serve " + source_path(kExample) + " --batch 4").status == 2);
  CHECK(run_cli("serve " + source_path(kExample) + " --format csv").status == 2);
}
