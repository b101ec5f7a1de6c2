#pragma once
// The scenario's own prices (`pricing.usd_per_hour`, CONTRACT.md) written into the catalogs it
// is priced with, so that simulate, price, plan and report all see them: the price of
// `pricing.model` per instance-hour, replacing the catalog's, with the scenario as its source.
// This is how a capacity block or flex-start price enters (no public price list has them).
#include <vector>

#include "pricing/catalog.hpp"
#include "scenarios/scenario.hpp"

namespace cirrus::scenarios {

// A number prices the scenario's one instance; an object prices each instance id it names.
// Throws InputError at pricing.usd_per_hour (or its key) for a number without exactly one
// instance (a bare node, a list or "auto": name the ids), an id the catalogs do not have, or an
// instance not sold under the pricing model (pricing::not_offered_reason).
void apply_scenario_prices(const Scenario& s, std::vector<pricing::Catalog>& catalogs);

}  // namespace cirrus::scenarios
