#include "scenarios/scenario_prices.hpp"

#include <fmt/format.h>
#include <string>

#include "common/input_error.hpp"
#include "pricing/capacity_products.hpp"

namespace cirrus::scenarios {
namespace {

constexpr const char* kPath = "pricing.usd_per_hour";

void set_price(const Scenario& s, std::vector<pricing::Catalog>& catalogs, const std::string& id,
               double usd, const std::string& path) {
  // Validates the id with the catalogs' did-you-mean, then finds the first (winning) entry.
  pricing::lookup_instance(catalogs, id, s.file, path);
  const pricing::PricingModel m = s.pricing.model;
  for (auto& c : catalogs) {
    for (auto& inst : c.instances) {
      if (inst.id != id) continue;
      if (auto why = pricing::not_offered_reason(inst, m)) {
        throw InputError(s.file, path, fmt::format("an instance sold as {}", pricing::to_string(m)),
                         fmt::format("{} ({})", id, *why));
      }
      inst.prices.set(m, usd);
      inst.price_sources[m] = pricing::PriceSource{
          fmt::format("given by the scenario ({} in {})", kPath, s.file), "scenario", true};
      return;
    }
  }
}

}  // namespace

void apply_scenario_prices(const Scenario& s, std::vector<pricing::Catalog>& catalogs) {
  if (s.pricing.usd_per_hour) {
    if (s.instance.values.empty() || s.instance.open()) {
      throw InputError(
          s.file, kPath,
          "one catalog instance in cluster.instance for a single price, or a price per "
          "instance id ({\"aws:p5.48xlarge\": 30.0})",
          s.instance.values.empty() && !s.instance.is_auto ? "no cluster.instance"
                                                           : "several instances to search");
    }
    set_price(s, catalogs, s.instance.value(), *s.pricing.usd_per_hour, kPath);
  }
  for (const auto& [id, usd] : s.pricing.usd_per_hour_by_instance) {
    set_price(s, catalogs, id, usd, std::string(kPath) + "." + id);
  }
}

}  // namespace cirrus::scenarios
