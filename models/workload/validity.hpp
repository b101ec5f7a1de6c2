#pragma once
// The rules a pinned configuration must satisfy before it can be simulated: the parallel sizes
// multiply to the GPU count and divide what they split (heads, layers, batch, sequence,
// experts). `simulate` turns a violation into an input error naming the field; the planner
// counts violations by reason and moves on.
#include <optional>
#include <string>

#include "models/network/cluster.hpp"
#include "models/workload/strategy.hpp"
#include "models/workload/transformer.hpp"

namespace cirrus::models {

struct Violation {
  std::string rule;      // a short stable name of the rule, for counting ("tp divides heads")
  std::string path;      // the scenario field to blame ("strategy.tp")
  std::string expected;  // what the rule needs
  std::string found;     // what the configuration has
};

// The first rule broken, or nullopt. tp x pp x dp x cp must equal the cluster's GPUs.
std::optional<Violation> check_configuration(const TransformerConfig& m, const Training& t,
                                             const Strategy& st, const ClusterSpec& c);

}  // namespace cirrus::models
