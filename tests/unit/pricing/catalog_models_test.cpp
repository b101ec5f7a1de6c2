// The catalogs name cirrus GPU and node presets: every name must exist in models/, and a node's
// GPU and count must be the instance's, or the simulator would run other hardware than is priced.
#include <catch2/catch.hpp>
#include <string>

#include "models/hardware/hardware.hpp"
#include "pricing/catalog.hpp"
#include "pricing/instance_table.hpp"

TEST_CASE("catalog GPU and node ids are cirrus presets that match the instance", "[pricing]") {
  using namespace cirrus;
  for (const pricing::KnownHardware& hw : pricing::kKnownHardware) {
    INFO(hw.provider << ":" << hw.name);
    if (!hw.gpu.empty()) CHECK(models::find_gpu(std::string(hw.gpu)).has_value());
    if (hw.node.empty()) continue;
    const auto node = models::find_node(std::string(hw.node));
    REQUIRE(node.has_value());
    CHECK(node->gpu.id == hw.gpu);
    CHECK(node->gpus == hw.gpus);
  }
  const auto catalogs =
      pricing::read_catalog_dir(std::string(CIRRUS_SOURCE_DIR) + "/pricing/catalogs");
  for (const auto* in : pricing::list_instances(catalogs, "")) {
    INFO(in->id);
    if (!in->node.empty()) CHECK(models::find_node(in->node).has_value());
    if (!in->gpu.empty()) CHECK(models::find_gpu(in->gpu).has_value());
  }
}
