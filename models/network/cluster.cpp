#include "models/network/cluster.hpp"

namespace cirrus::models {

const char* to_string(Topology t) {
  // The spellings of CONTRACT.md's `cluster.network.topology`.
  switch (t) {
    case Topology::kFatTree:
      return "fat-tree";
    case Topology::kRailOptimized:
      return "rail-optimized";
    case Topology::kSingleSwitch:
      return "single-switch";
  }
  return "unknown";
}

}  // namespace cirrus::models
