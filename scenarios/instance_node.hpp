#pragma once
// The node a cloud instance named in a scenario ("aws:p5.48xlarge") runs, read from the one
// hardware table cirrus has (pricing/instance_table.hpp, which the catalogs and importers use
// too), or why cirrus cannot simulate it: an accelerator without a GPU model (B200, GH200,
// Trainium, ...) or a shape without a node model (fewer than 8 GPUs, an H100 NVL pair).
#include <optional>
#include <string>
#include <vector>

#include "models/hardware/hardware.hpp"

namespace cirrus::scenarios {

struct InstanceNode {
  bool known = false;                    // the id is in the hardware table
  std::optional<models::NodeSpec> node;  // the node preset it runs, when cirrus has one
  std::string why_not;                   // when known and no node: why, in words
};

InstanceNode instance_node(const std::string& id);

// Every instance id in the hardware table ("provider:name"), in the table's order.
std::vector<std::string> known_instance_ids();

}  // namespace cirrus::scenarios
