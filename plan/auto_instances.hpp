#pragma once
// Which catalog instances cirrus can simulate, and which of them `"instance": "auto"` searches:
// the one rule that plan's resolve_instances (plan/instance_options.hpp) applies and that
// `cirrus presets instances` reports, so the listing never disagrees with the planner.
#include <optional>
#include <string>

#include "pricing/catalog.hpp"

namespace cirrus::plan {

// True when the instance names a GPU cirrus models and a node preset that exists, with at least
// one GPU: cirrus can simulate it.
bool simulable(const pricing::Instance& instance);

// Why "auto" leaves the instance out of the search, in words; nullopt when it searches it (a
// searched instance is always simulable).
std::optional<std::string> auto_skip_reason(const pricing::Instance& instance);

}  // namespace cirrus::plan
