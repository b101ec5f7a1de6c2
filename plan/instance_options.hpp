#pragma once
// Turns a scenario's instance choice into the planner's options, with their hardware and
// price: a listed or pinned instance is looked up in the catalogs (unknown ids are input
// errors with a suggestion); "auto" takes every catalog instance cirrus can simulate; with no
// instance, the scenario's node preset is the only option, without a price.
#include <utility>
#include <vector>

#include "plan/planner.hpp"
#include "plan/search_space.hpp"
#include "pricing/catalog.hpp"
#include "scenarios/scenario.hpp"

namespace cirrus::plan {

struct ResolvedInstances {
  std::vector<InstanceOption> options;
  std::vector<const pricing::Instance*> catalog_entries;  // parallel; nullptr for a bare node
  // "auto" instances left out: (id, why), in catalog order; printed with the plan.
  std::vector<std::pair<std::string, std::string>> skipped;
};

// The node a catalog instance runs on: its node preset with the catalog's NIC figures.
// Throws InputError (file, path) when the instance has no simulable GPU or node.
models::NodeSpec node_of(const pricing::Instance& instance, const std::string& file,
                         const std::string& path);

ResolvedInstances resolve_instances(const scenarios::Scenario& s,
                                    const std::vector<pricing::Catalog>& catalogs);

// Prices runs with pricing's cost model (spot interruptions, checkpoints) under the scenario's
// pricing model. The returned function refers to `resolved` and `catalogs`: keep them alive.
EconomicsFn catalog_economics(const scenarios::Scenario& s, const ResolvedInstances& resolved);

}  // namespace cirrus::plan
