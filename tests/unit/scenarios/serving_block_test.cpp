// The scenario's `serving` block: defaults, and one error naming the JSON path for a bad key.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "common/input_error.hpp"
#include "common/read_file.hpp"
#include "scenarios/scenario.hpp"
#include "tests/json_edit.hpp"

using namespace cirrus;

namespace {

const std::string& example() {
  static const std::string kText =
      read_file(std::string(CIRRUS_SOURCE_DIR) + "/scenarios/examples/llama3-8b-serving-h100.json");
  return kText;
}

std::string error_for(const std::string& text) {
  try {
    scenarios::parse_scenario(text, "dir/s.json");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

std::string with(const std::string& pointer, const std::string& value) {
  return error_for(testing::with_value(example(), pointer, nlohmann::json::parse(value)));
}

}  // namespace

TEST_CASE("the serving block reads with vLLM's defaults", "[serving][scenarios]") {
  const auto s = scenarios::parse_scenario(example(), "s.json");
  REQUIRE(s.serving);
  CHECK(s.serving->replicas == 8);
  CHECK(s.serving->router == models::RouterKind::kLeastOutstanding);
  CHECK(s.serving->slo.ttft_s == Approx(0.5));
  nlohmann::json j = nlohmann::json::parse(example());
  j["serving"] = {{"arrivals", {{"kind", "poisson"}, {"rate_per_s", 2}, {"requests", 10}}},
                  {"input_tokens", {{"dist", "fixed"}, {"value", 100}}},
                  {"output_tokens", {{"dist", "uniform"}, {"min", 1}, {"max", 9}}}};
  const auto d = scenarios::parse_scenario(j.dump(), "s.json");
  CHECK(d.serving->scheduler.max_num_seqs == 256);
  CHECK(d.serving->scheduler.max_num_batched_tokens == 8192);
  CHECK(d.serving->scheduler.chunked_prefill);
  CHECK(d.serving->scheduler.block_size == 16);
  CHECK(d.serving->scheduler.gpu_memory_utilization == 0.9);
  CHECK(d.serving->tp == 1);
  CHECK(d.serving->router == models::RouterKind::kRoundRobin);
  CHECK_FALSE(d.serving->slo.ttft_s);
}

TEST_CASE("a trace path is taken beside the scenario file", "[serving][scenarios]") {
  nlohmann::json j = nlohmann::json::parse(example());
  j["serving"].erase("input_tokens");
  j["serving"].erase("output_tokens");
  j["serving"]["arrivals"] = {
      {"kind", "trace"},
      {"trace", {{"path", "traces/code.csv"}, {"format", "azure-csv"}, {"time_scale", 0.5}}}};
  const auto s = scenarios::parse_scenario(j.dump(), "dir/s.json");
  CHECK(s.serving->arrivals.trace.path == "dir/traces/code.csv");
  CHECK(s.serving->arrivals.trace.time_scale == 0.5);
}

TEST_CASE("bad serving values name their JSON path", "[serving][scenarios]") {
  using Catch::Contains;
  CHECK_THAT(with("/serving/replicas", "0"), Contains("dir/s.json: serving.replicas"));
  CHECK_THAT(with("/serving/arrivals/rate_per_s", "-1"), Contains("serving.arrivals.rate_per_s"));
  CHECK_THAT(with("/serving/arrivals/kind", "\"bursty\""), Contains("serving.arrivals.kind"));
  CHECK_THAT(with("/serving/arrivals/duration_s", "10"),
             Contains("serving.arrivals.duration_s") && Contains("not both"));
  CHECK_THAT(with("/serving/arrivals/cv", "2"), Contains("serving.arrivals.cv"));
  CHECK_THAT(with("/serving/input_tokens/dist", "\"normal\""),
             Contains("serving.input_tokens.dist"));
  CHECK_THAT(with("/serving/input_tokens/value", "5"), Contains("serving.input_tokens.value"));
  CHECK_THAT(with("/serving/output_tokens/sigma", "-1"), Contains("serving.output_tokens.sigma"));
  CHECK_THAT(with("/serving/router", "\"random\""), Contains("serving.router"));
  CHECK_THAT(with("/serving/block_size", "0"), Contains("serving.block_size"));
  CHECK_THAT(with("/serving/gpu_memory_utilization", "1.5"),
             Contains("serving.gpu_memory_utilization"));
  CHECK_THAT(with("/serving/max_num_seqs", "2.5"), Contains("serving.max_num_seqs"));
  CHECK_THAT(with("/serving/slo/ttft", "5"), Contains("serving.slo") && Contains("ttft_ms"));
  CHECK_THAT(with("/serving/arrivals/trace", "{}"), Contains("serving.arrivals.trace"));
  CHECK_THAT(with("/serving/repilcas", "2"), Contains("replicas"));
  CHECK_THAT(error_for(testing::without_key(example(), "/serving/arrivals/requests")),
             Contains("serving.arrivals") && Contains("duration_s"));
  CHECK_THAT(with("/serving/arrivals/kind", "\"trace\""), Contains("serving.arrivals.rate_per_s"));
}
