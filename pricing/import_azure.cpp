// The Azure Retail Prices API response (REFERENCE.md §3, "Azure Retail Prices API"): one or more
// pages {BillingCurrency, Items[], NextPageLink, Count}, items {armSkuName, armRegionName,
// productName, skuName, meterName, serviceName, type, reservationTerm, retailPrice, unitPrice,
// unitOfMeasure, effectiveStartDate, isPrimaryMeterRegion, currencyCode, savingsPlan[]}.
//
// Rules: Linux only (Windows is a separate productName, "... Windows" or "... Win"); type
// Consumption is on-demand, or spot when skuName/meterName says " Spot"; Low Priority and
// DevTestConsumption rows are dropped; a Reservation's retailPrice is the total for the term
// although unitOfMeasure says "1 Hour", so it is divided by 8760 x years; a spot price equal to
// the on-demand one is no spot offer (the ND/NC H100 v5 meters); a 0 price is not an offer.
#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "common/input_error.hpp"
#include "common/json_reader.hpp"
#include "pricing/importers.hpp"
#include "pricing/instance_table.hpp"

namespace cirrus::pricing {
namespace {

constexpr double kHoursPerYear = 8760.0;

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

// "Virtual Machines NDsv2 Series Windows", "... Srs Win", but not "... Winter" (no such name,
// but a word match is the honest test).
bool is_windows(std::string_view product) {
  if (contains(product, "Windows")) return true;
  const auto pos = product.find(" Win");
  if (pos == std::string_view::npos) return false;
  const std::size_t end = pos + 4;
  return end == product.size() || product[end] == ' ';
}

struct Candidate {
  double usd_per_hour = 0;
  bool primary = true;
  std::string effective;  // effectiveStartDate
  std::string what;       // for the price's source
};

// Primary meter region first, then the latest effective date, then the lower price.
bool better(const Candidate& a, const Candidate& b) {
  if (a.primary != b.primary) return a.primary;
  if (a.effective != b.effective) return a.effective > b.effective;
  return a.usd_per_hour < b.usd_per_hour;
}

struct Offers {
  std::optional<Candidate> on_demand, spot, reserved_1y, reserved_3y, savings_1y, savings_3y;
};

void offer(std::optional<Candidate>& slot, Candidate c) {
  if (!slot || better(c, *slot)) slot = std::move(c);
}

std::string optional_string(const JsonNode& item, const char* key) {
  const auto v = item.find(key);
  if (!v || v->is_null()) return "";
  return v->as_string();
}

int term_years(std::string_view term) {
  if (term.starts_with("1")) return 1;
  if (term.starts_with("3")) return 3;
  return 0;
}

}  // namespace

Catalog import_azure_retail(const std::vector<InputFile>& files, const ImportOptions& options) {
  if (files.empty()) throw InputError("", "", "at least one Azure Retail Prices page", "none");
  // armRegionName is lower case ("eastus"); --region EastUS means the same region.
  std::string region = options.region.empty() ? default_region("azure") : options.region;
  for (char& c : region) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::map<std::string, Offers> by_sku;  // armSkuName -> offers (sorted: deterministic)
  std::set<std::string> regions;
  std::string latest_effective;
  std::size_t region_items = 0;

  auto read_item = [&](const JsonNode& item) {
    if (!item.is_object()) item.fail("a price item (an object)");
    const std::string service = optional_string(item, "serviceName");
    if (!service.empty() && service != "Virtual Machines") return;
    const std::string arm_region = optional_string(item, "armRegionName");
    if (!arm_region.empty()) regions.insert(arm_region);
    if (arm_region != region) return;
    ++region_items;
    const std::string sku = optional_string(item, "armSkuName");
    if (sku.empty()) return;
    const std::string product = optional_string(item, "productName");
    if (is_windows(product) || contains(product, "Cloud Services") ||
        contains(product, "CloudServices")) {
      return;
    }
    const std::string currency = optional_string(item, "currencyCode");
    if (!currency.empty() && currency != "USD") {
      item.at("currencyCode").fail("prices in USD (currencyCode \"USD\")");
    }
    const std::string unit = optional_string(item, "unitOfMeasure");
    if (!unit.empty() && !contains(unit, "Hour")) return;
    const std::string sku_name = optional_string(item, "skuName");
    const std::string meter = optional_string(item, "meterName");
    if (contains(sku_name, "Low Priority") || contains(meter, "Low Priority")) return;
    const bool spot = contains(sku_name, "Spot") || contains(meter, "Spot");
    const std::string type = optional_string(item, "type");

    Candidate c;
    const auto price_node = item.has("retailPrice") ? item.at("retailPrice") : item.at("unitPrice");
    // A negative price is a broken file, not a discount: refused, never skipped.
    const double price = price_node.as_non_negative();
    c.effective = optional_string(item, "effectiveStartDate");
    if (const auto p = item.find("isPrimaryMeterRegion"); p && !p->is_null()) {
      c.primary = p->as_bool();
    }
    if (!c.effective.empty()) latest_effective = std::max(latest_effective, c.effective);
    Offers& o = by_sku[sku];

    if (type == "Consumption" || type.empty()) {
      if (price > 0) {
        c.usd_per_hour = round_price(price);
        c.what = spot ? "Consumption, Spot meter" : "Consumption";
        offer(spot ? o.spot : o.on_demand, c);
      }
      // The preview API lists savings-plan hourly rates on the consumption item.
      if (const auto plans = item.find("savingsPlan"); plans && plans->is_array() && !spot) {
        for (std::size_t k = 0; k < plans->size(); ++k) {
          const JsonNode plan = plans->index(k);
          const int years = term_years(optional_string(plan, "term"));
          const auto v = plan.has("retailPrice") ? plan.at("retailPrice") : plan.at("unitPrice");
          const double usd = v.as_non_negative();
          if (years == 0 || !(usd > 0)) continue;
          Candidate s = c;
          s.usd_per_hour = round_price(usd);
          s.what = fmt::format("savings plan {} year{}, hourly", years, years == 1 ? "" : "s");
          offer(years == 1 ? o.savings_1y : o.savings_3y, s);
        }
      }
    } else if (type == "Reservation") {
      const int years = term_years(optional_string(item, "reservationTerm"));
      if (years == 0 || !(price > 0)) return;
      // retailPrice is the whole term's price (REFERENCE §3 gotcha (3)).
      c.usd_per_hour = round_price(price / (kHoursPerYear * years));
      c.what = fmt::format("Reservation {} year{}: term total {} / ({} x 8760 h)", years,
                           years == 1 ? "" : "s", price, years);
      offer(years == 1 ? o.reserved_1y : o.reserved_3y, c);
    }
    // DevTestConsumption and anything else: not a price a training run pays.
  };
  static const std::string kWhat =
      "an Azure Retail Prices API response (BillingCurrency, Items, NextPageLink)";
  for (const InputFile& f : files) {
    // A file holds one page, several pages one after another, a JSON array of pages, or a
    // JSON array of price items.
    for (const nlohmann::json& doc : detail::parse_json_documents(f, kWhat)) {
      const JsonNode root(doc, f.path, "");
      auto read_page = [&](const JsonNode& page) {
        const JsonNode items = page.at("Items");
        if (!items.is_array()) items.fail("an array of price items");
        for (std::size_t i = 0; i < items.size(); ++i) read_item(items.index(i));
      };
      if (root.is_object() && root.has("Items")) {
        read_page(root);
      } else if (root.is_array()) {
        for (std::size_t i = 0; i < root.size(); ++i) {
          const JsonNode n = root.index(i);
          if (n.is_object() && n.has("Items")) {
            read_page(n);
          } else if (n.is_object() && (n.has("armSkuName") || n.has("retailPrice"))) {
            read_item(n);
          } else {
            n.fail(
                "an Azure price item (armSkuName, retailPrice, ...) or a page {\"Items\": "
                "[...]}");
          }
        }
      } else {
        throw InputError(
            f.path, "Items", kWhat,
            root.is_object() ? detail::describe_json_keys(root.keys()) : root.describe());
      }
    }
  }
  const std::string names = detail::file_names(files);
  if (region_items == 0) {
    throw InputError(names, "", fmt::format("Virtual Machines items for region {}", region),
                     fmt::format("none (regions in the file: {})",
                                 detail::preview_list({regions.begin(), regions.end()})));
  }

  std::string retrieved = options.retrieved;
  if (retrieved.empty()) retrieved = detail::date_part(latest_effective);
  if (retrieved.empty()) {
    throw InputError(names, "Items", "an effectiveStartDate (or --retrieved DATE)", "none");
  }
  std::string files_label;
  for (const auto& f : files) {
    files_label += (files_label.empty() ? "" : ", ") + detail::base_name(f.path);
  }
  const std::string source = fmt::format(
      "Azure Retail Prices API ({}): Virtual Machines, Linux, region {}{}", files_label, region,
      options.retrieved.empty() ? "; dated by the latest effectiveStartDate" : "");

  Catalog catalog;
  catalog.provider = "azure";
  for (const auto& [sku, o] : by_sku) {
    if (!o.on_demand && !o.spot && !o.reserved_1y && !o.reserved_3y && !o.savings_1y &&
        !o.savings_3y) {
      continue;  // only Windows, DevTest or zero-price rows
    }
    Instance in;
    in.provider = "azure";
    in.name = sku;
    in.id = "azure:" + sku;
    in.region = region;
    in.source = PriceSource{source, retrieved, true};
    std::vector<std::string> notes;
    if (o.on_demand) in.prices.on_demand = o.on_demand->usd_per_hour;
    if (o.spot) {
      if (o.on_demand && o.spot->usd_per_hour == o.on_demand->usd_per_hour) {
        notes.push_back("the spot meter equals on-demand: no spot offer (spot: null)");
      } else {
        in.prices.spot = o.spot->usd_per_hour;
      }
    }
    for (const int years : {1, 3}) {
      const auto& reserved = years == 1 ? o.reserved_1y : o.reserved_3y;
      const auto& savings = years == 1 ? o.savings_1y : o.savings_3y;
      const auto& chosen = reserved ? reserved : savings;
      if (!chosen) continue;
      const PricingModel m = years == 1 ? PricingModel::kCommitted1y : PricingModel::kCommitted3y;
      in.prices.set(m, chosen->usd_per_hour);
      in.price_sources[m] = PriceSource{source + "; " + chosen->what, retrieved, true};
    }
    if (!o.on_demand) notes.push_back("no Linux pay-as-you-go price in the file");
    if (!apply_known_hardware(in)) notes.push_back("hardware not in cirrus's instance table");
    in.note = fmt::format("{}", fmt::join(notes, "; "));
    catalog.instances.push_back(std::move(in));
  }
  if (catalog.instances.empty()) {
    throw InputError(names, "", fmt::format("Linux virtual-machine prices for region {}", region),
                     "only Windows, Low Priority, DevTest or zero-price items");
  }
  detail::require_plausible_prices(catalog, names);
  check_catalog(catalog);
  return catalog;
}

}  // namespace cirrus::pricing
