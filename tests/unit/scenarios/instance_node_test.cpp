// Every instance cirrus prices can be named in a scenario, or the loader says why not: the
// scenario loader and the catalogs read one hardware table (pricing/instance_table.hpp).
#include <catch2/catch.hpp>
#include <string>

#include "common/input_error.hpp"
#include "pricing/catalog.hpp"
#include "scenarios/instance_node.hpp"
#include "scenarios/scenario.hpp"

using cirrus::InputError;
using cirrus::scenarios::instance_node;

namespace {

std::string scenario_on(const std::string& instance) {
  return R"({"cirrus": 1, "model": {"preset": "llama3-8b"}, "training": {"global_batch": 64},
             "cluster": {"instance": ")" +
         instance + R"(", "nodes": 2},
             "strategy": {"tp": 1, "pp": 1, "micro_batch": 1, "zero": 1}})";
}

// The loader's error for a scenario on `instance` ("" when it loads).
std::string load_error(const std::string& instance) {
  try {
    cirrus::scenarios::parse_scenario(scenario_on(instance), "s.json");
  } catch (const InputError& e) {
    CHECK(e.path() == "cluster.instance");
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("every shipped catalog instance can be named in a scenario or says why not",
          "[scenarios][catalog]") {
  const auto catalogs =
      cirrus::pricing::read_catalog_dir(std::string(CIRRUS_SOURCE_DIR) + "/pricing/catalogs");
  REQUIRE_FALSE(catalogs.empty());
  int simulated = 0, refused = 0;
  for (const auto& c : catalogs) {
    for (const auto& inst : c.instances) {
      INFO(inst.id);
      const auto node = instance_node(inst.id);
      CHECK(node.known);
      CHECK(node.node.has_value() != !node.why_not.empty());
      const std::string error = load_error(inst.id);
      if (node.node) {
        CHECK(error.empty());
        ++simulated;
      } else {
        CHECK(error.find(node.why_not) != std::string::npos);
        ++refused;
      }
    }
  }
  CHECK(simulated >= 15);
  CHECK(refused > 0);
}

TEST_CASE("instances outside the old built-in list load; the rest say why not", "[scenarios]") {
  CHECK(load_error("aws:g6e.48xlarge").empty());
  CHECK(load_error("lambda:gpu_8x_a100_80gb_sxm4").empty());
  CHECK(instance_node("lambda:gpu_8x_a100_80gb_sxm4").node->gpu.id == "a100-sxm-80gb");
  CHECK(load_error("aws:p6-b200.48xlarge").find("no GPU model") != std::string::npos);
  CHECK(load_error("aws:g6e.xlarge").find("no node model for that shape") != std::string::npos);
  const std::string typo = load_error("aws:p5.48xlarg");
  CHECK(typo.find("a known instance") != std::string::npos);
  CHECK(typo.find("did you mean 'aws:p5.48xlarge'") != std::string::npos);
  CHECK_FALSE(instance_node("nowhere").known);
}
