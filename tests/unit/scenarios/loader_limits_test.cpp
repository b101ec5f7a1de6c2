// The limits of docs/CONTRACT.md ("Limits"): a value past one is an InputError naming its JSON
// path and the range, at the boundary, before anything is allocated for it.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "common/input_error.hpp"
#include "common/read_file.hpp"
#include "scenarios/scenario.hpp"
#include "tests/json_edit.hpp"

namespace {

const std::string& example() {
  static const std::string kText = cirrus::read_file(std::string(CIRRUS_SOURCE_DIR) +
                                                     "/scenarios/examples/llama3-70b-h100.json");
  return kText;
}

// The loader's message for `value` at `pointer`, or "" when it loads.
std::string error_for(const std::string& pointer, const std::string& value) {
  try {
    cirrus::scenarios::parse_scenario(
        cirrus::testing::with_value(example(), pointer, nlohmann::json::parse(value)),
        "limits.json");
  } catch (const cirrus::InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("scenario limits: sizes past the largest cirrus simulates are refused", "[scenarios]") {
  // 2^24 sequences per step is the largest global batch.
  CHECK_THAT(error_for("/training/global_batch", "16777217"),
             Catch::Contains("training.global_batch") && Catch::Contains("16777216"));
  CHECK_THAT(error_for("/training/global_batch", "68719476736"),
             Catch::Contains("training.global_batch"));
  CHECK_THAT(error_for("/cluster/nodes", "1048576"),
             Catch::Contains("cluster.nodes") && Catch::Contains("65536"));
  CHECK_THAT(error_for("/model/layers", "1000000000"),
             Catch::Contains("model.layers") && Catch::Contains("16384"));
  CHECK_THAT(error_for("/model/seq_len", "1e9"), Catch::Contains("model.seq_len"));
  CHECK_THAT(error_for("/training/tokens", "1e300"),
             Catch::Contains("training.tokens") && Catch::Contains("1e+16"));
}

TEST_CASE("scenario limits: rates and latencies outside physical ranges are refused",
          "[scenarios]") {
  CHECK_THAT(error_for("/cluster/network/oversubscription", "1e9"),
             Catch::Contains("cluster.network.oversubscription") && Catch::Contains("1000"));
  CHECK_THAT(error_for("/cluster/network/oversubscription", "0"),
             Catch::Contains("cluster.network.oversubscription"));
  // An inline node (no preset): bandwidths from 1e-3 to 1e5 GB/s (1e6 Gb/s for NICs), latencies
  // up to 0.1 s.
  const std::string node =
      R"({"gpu": "h100-sxm", "gpus": 8, "scale_up": "nvswitch", "scale_up_gbyte_per_s": 450,
          "nics": 8, "nic_gbit_per_s": 400})";
  const std::string base =
      cirrus::testing::with_value(cirrus::testing::without_key(example(), "/cluster/instance"),
                                  "/cluster/node", nlohmann::json::parse(node));
  auto node_error = [&](const std::string& key, const std::string& value) {
    try {
      cirrus::scenarios::parse_scenario(
          cirrus::testing::with_value(base, "/cluster/node/" + key, nlohmann::json::parse(value)),
          "limits.json");
    } catch (const cirrus::InputError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(node_error("nic_gbit_per_s", "400").empty());
  CHECK_THAT(node_error("nic_gbit_per_s", "1e300"), Catch::Contains("cluster.node.nic_gbit_per_s"));
  CHECK_THAT(node_error("nic_gbit_per_s", "1e-300"), Catch::Contains("0.001 to 1e+06 Gb/s"));
  CHECK_THAT(node_error("scale_up_gbyte_per_s", "1e-300"),
             Catch::Contains("cluster.node.scale_up_gbyte_per_s"));
  CHECK_THAT(node_error("nic_latency_us", "1e9"), Catch::Contains("cluster.node.nic_latency_us"));
  CHECK(node_error("nic_latency_us", "5").empty());
}
