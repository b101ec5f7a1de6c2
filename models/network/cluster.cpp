#include "models/network/cluster.hpp"
#include "common/enum_names.hpp"

namespace cirrus::models {

const char* to_string(Topology t) { return name_in(kTopologyNames, t); }

}  // namespace cirrus::models
