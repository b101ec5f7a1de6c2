// `cirrus serve` with prefix caching, the prefix-affinity router, preemption by swap and the
// Perfetto trace of batches, through the binary; bad input as one line, exit 3, nothing written.
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

// The shipped example cut to `requests` requests.
nlohmann::json example(int requests = 2000) {
  auto j = nlohmann::json::parse(slurp(source_path(kExample)));
  j["serving"]["arrivals"]["requests"] = requests;
  return j;
}

// The example's fleet replaying a Mooncake trace written beside it.
std::string mooncake_scenario(const std::string& name, const std::string& trace) {
  write_text(scratch_dir() + "/" + name + ".jsonl", trace);
  nlohmann::json j = example();
  j["serving"].erase("input_tokens");
  j["serving"].erase("output_tokens");
  j["serving"]["arrivals"] = {{"kind", "trace"},
                              {"trace", {{"path", name + ".jsonl"}, {"format", "mooncake-jsonl"}}}};
  return write_scenario(name + ".json", j);
}

nlohmann::json run_json(const std::string& scenario) {
  const auto r = run_cli("serve " + scenario + " --format json");
  INFO(r.err);
  REQUIRE(r.status == 0);
  return nlohmann::json::parse(r.out);
}

}  // namespace

TEST_CASE("serve: shared prefixes are cached, and affinity routing finds them",
          "[golden][serving]") {
  // Eight system prompts of 2,000 tokens before each drawn prompt.
  nlohmann::json j = example();
  j["serving"]["prefix"] = {{"groups", 8}, {"tokens", 2000}};
  const auto least = run_json(write_scenario("prefix-least.json", j));
  j["serving"]["router"] = "prefix-affinity";
  const std::string affinity_path = write_scenario("prefix-affinity.json", j);
  const auto affinity = run_json(affinity_path);
  for (const auto* r : {&least, &affinity}) {
    CHECK((*r)["scheduler"]["prefix_caching"] == true);
    CHECK((*r)["completed"] == 2000);
    CHECK((*r)["little"]["relative_error"].get<double>() < 1e-9);
    CHECK((*r)["prefix_cache"]["hit_rate"].get<double>() > 0.3);
  }
  // Affinity keeps each prefix where it is cached: more hits than spreading by load.
  CHECK(affinity["prefix_cache"]["hit_tokens"].get<double>() >
        least["prefix_cache"]["hit_tokens"].get<double>());

  // Turned off: the same prompts, nothing hit, no prefix_cache block, and TTFT longer.
  j["serving"]["router"] = "least-outstanding";
  j["serving"]["prefix_caching"] = false;
  const auto off = run_json(write_scenario("prefix-off.json", j));
  CHECK(off["scheduler"]["prefix_caching"] == false);
  CHECK(off["prefix_cache"].is_null());
  CHECK(off["latency_s"]["ttft"]["mean"].get<double>() >
        least["latency_s"]["ttft"]["mean"].get<double>());

  const auto table = run_cli("serve " + affinity_path);
  REQUIRE(table.status == 0);
  CHECK_THAT(table.out,
             Catch::Contains("prefix-affinity router") && Catch::Contains("prefix caching on") &&
                 Catch::Contains("prefix cache: ") && Catch::Contains("balance_abs_threshold"));
}

TEST_CASE("serve: a Mooncake trace's hash_ids are prefixes", "[golden][serving]") {
  const std::string scenario = mooncake_scenario(
      "mooncake-prefix",
      "{\"timestamp\": 0, \"input_length\": 6758, \"output_length\": 50, \"hash_ids\": [0, 1, "
      "2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]}\n"
      "{\"timestamp\": 2000, \"input_length\": 7322, \"output_length\": 49, \"hash_ids\": [0, "
      "1, 2, 3, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24]}\n"
      "{\"timestamp\": 4000, \"input_length\": 100, \"output_length\": 3}\n");
  const auto j = run_json(scenario);
  // The second request finds the first's 4 shared ids: 4 x 512 = 2,048 tokens.
  CHECK(j["prefix_cache"]["hit_tokens"] == 2048);
  CHECK(j["prefix_cache"]["prompt_tokens"] == 6758 + 7322 + 100);
}

TEST_CASE("serve: preemption by swap on a tight KV cache", "[golden][serving]") {
  // A quarter of the GPU's memory leaves about 3 GiB of cache per replica: preemptions.
  nlohmann::json j = example();
  j["serving"]["gpu_memory_utilization"] = 0.25;
  const auto recompute = run_json(write_scenario("recompute.json", j));
  CHECK(recompute["preemptions"].get<int>() > 0);
  CHECK(recompute["swap"].is_null());
  j["serving"]["preemption"] = "swap";
  const std::string swap_path = write_scenario("swap.json", j);
  const auto swap = run_json(swap_path);
  CHECK(swap["scheduler"]["preemption"] == "swap");
  CHECK(swap["scheduler"]["swap_space_gib"] == 4);
  CHECK(swap["swap"]["swap_outs"].get<int>() > 0);
  CHECK(swap["swap"]["swap_outs"].get<int>() <= swap["preemptions"].get<int>());
  // The p5's H100s: nvbandwidth's 51 GB/s host-to-device copy; 4 GiB of 2 MiB blocks.
  CHECK(swap["swap"]["gbyte_per_s"] == 51);
  CHECK(swap["swap"]["host_blocks"] == 2048);
  CHECK(swap["swap"]["copy_s"].get<double>() > 0);
  CHECK(swap["little"]["relative_error"].get<double>() < 1e-9);
  const auto table = run_cli("serve " + swap_path);
  CHECK_THAT(table.out, Catch::Contains("preemption by swap (4 GiB of host memory per GPU") &&
                            Catch::Contains("of them by swap") &&
                            Catch::Contains("each GPU over its own link"));
}

TEST_CASE("serve --trace writes the batches as a Perfetto trace", "[golden][serving]") {
  const std::string trace = scratch_dir() + "/batches.json";
  std::filesystem::remove(trace);
  const auto r = run_cli("serve " + write_scenario("traced.json", example(300)) +
                         " --format json --trace " + trace);
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto out = nlohmann::json::parse(r.out);
  const auto t = nlohmann::json::parse(slurp(trace));
  int slices = 0;
  for (const auto& e : t["traceEvents"]) slices += e["ph"] == "X" ? 1 : 0;
  CHECK(slices == out["iterations"].get<int>());
  CHECK(out["trace"]["written"] == out["iterations"]);
  CHECK(out["trace"]["complete"] == true);
  CHECK(t["otherData"]["cap"] == 100000);
  // The same bytes again.
  const std::string again = scratch_dir() + "/batches-again.json";
  REQUIRE(run_cli("serve " + scratch_dir() + "/traced.json --trace " + again).status == 0);
  CHECK(slurp(again) == slurp(trace));
  CHECK_THAT(run_cli("serve " + scratch_dir() + "/traced.json --trace " + again).out,
             Catch::Contains("trace: all "));

  // A run longer than the cap keeps its first 100,000 iterations and says so.
  const std::string big = scratch_dir() + "/batches-big.json";
  const auto capped = run_cli("serve " + source_path(kExample) + " --trace " + big);
  REQUIRE(capped.status == 0);
  CHECK_THAT(capped.out, Catch::Contains("trace: the first 100,000 of ") &&
                             Catch::Contains("iterations (the trace's cap)"));
  const auto c = nlohmann::json::parse(slurp(big));
  CHECK(c["otherData"]["complete"] == false);
  CHECK(c["otherData"]["written"] == 100000);
}

TEST_CASE("serve: pipeline stages run as virtual engines", "[golden][serving]") {
  // Llama 3 8B on replicas of tp 1 x pp 2 against twice the replicas of one GPU: the same GPUs,
  // each engine's batch the whole model plus one NVLink send, each engine a share of a cache
  // that holds more per GPU (half the weights): throughput within 15%.
  // Offline (every request at once): the throughput is the fleet's capacity, not the load.
  nlohmann::json staged = example(2000);
  staged["serving"]["arrivals"] = {{"kind", "offline"}, {"requests", 2000}};
  staged["serving"].erase("slo");
  nlohmann::json flat = staged;
  staged["serving"]["pp"] = 2;
  flat["serving"]["replicas"] = 2 * flat["serving"]["replicas"].get<int>();
  const std::string trace = scratch_dir() + "/staged-batches.json";
  const auto r =
      run_cli("serve " + write_scenario("staged.json", staged) + " --format json --trace " + trace);
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto s = nlohmann::json::parse(r.out);
  const auto f = run_json(write_scenario("flat.json", flat));
  CHECK(s["pp"] == 2);
  CHECK(s["replicas"] == staged["serving"]["replicas"]);
  const double ratio = s["throughput"]["output_tokens_per_s"].get<double>() /
                       f["throughput"]["output_tokens_per_s"].get<double>();
  CHECK(ratio == Approx(1.0).epsilon(0.15));
  CHECK(s["little"]["relative_error"].get<double>() < 0.01);
  CHECK(s["kv_cache"]["engine_blocks"] == s["kv_cache"]["blocks"].get<int>() / 2);
  bool engine1 = false;
  const auto events = nlohmann::json::parse(slurp(trace))["traceEvents"];
  for (const auto& e : events) {
    if (e["ph"] == "M" && e["name"] == "thread_name" && e["args"]["name"] == "engine 1")
      engine1 = true;
  }
  CHECK(engine1);
  const auto text = run_cli("serve " + scratch_dir() + "/staged.json");
  CHECK_THAT(text.out,
             Catch::Contains(" x tp 1 x pp 2 on ") && Catch::Contains("pipeline: 2 stages"));
}

TEST_CASE("serve: bad prefix, swap and trace input is one line, nothing written",
          "[golden][serving]") {
  const std::string out = scratch_dir() + "/features-out.json";
  const std::string trace = scratch_dir() + "/features-trace.json";
  const auto refused = [&](const std::string& scenario, const std::string& says) {
    std::filesystem::remove(out);
    std::filesystem::remove(trace);
    const auto r = run_cli("serve " + scenario + " -o " + out + " --trace " + trace);
    INFO(r.err);
    CHECK(r.status == 3);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Catch::Contains(says));
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK_FALSE(std::filesystem::exists(out));
    CHECK_FALSE(std::filesystem::exists(trace));
  };
  refused(mooncake_scenario("bad-hash",
                            "{\"timestamp\": 0, \"input_length\": 600, \"output_length\": 5, "
                            "\"hash_ids\": [0, 1]}\n"
                            "{\"timestamp\": 1, \"input_length\": 600, \"output_length\": 5, "
                            "\"hash_ids\": [0, -2]}\n"),
          "bad-hash.jsonl: line 2: hash_ids[1]: expected a non-negative integer block id");
  nlohmann::json affinity = example();
  affinity["serving"]["router"] = "prefix-affinity";
  refused(write_scenario("affinity-no-prefix.json", affinity),
          "affinity-no-prefix.json: serving.router: expected a router other than "
          "\"prefix-affinity\" when prefix caching is off");
  nlohmann::json space = example();
  space["serving"]["swap_space_gib"] = 8;
  refused(write_scenario("space-no-swap.json", space),
          "space-no-swap.json: serving.swap_space_gib: expected no \"swap_space_gib\" unless");
  nlohmann::json prefix = example();
  prefix["serving"]["prefix"] = {{"groups", 0}, {"tokens", 10}};
  refused(write_scenario("prefix-groups.json", prefix), "serving.prefix.groups");
  nlohmann::json mode = example();
  mode["serving"]["preemption"] = "swap-out";
  refused(write_scenario("mode.json", mode), "serving.preemption");
  nlohmann::json stages = example();
  stages["serving"]["pp"] = 33;
  refused(write_scenario("stages.json", stages),
          "stages.json: serving.pp: expected at most the model's 32 layers");

  // --trace without a serving block, or onto -o: usage errors.
  CHECK(run_cli("serve " + source_path("scenarios/examples/llama3-70b-offload-h100.json") +
                " --trace " + trace)
            .status == 2);
  CHECK(run_cli("serve " + source_path(kExample) + " -o " + out + " --trace " + out).status == 2);
  CHECK_FALSE(std::filesystem::exists(out));
}
