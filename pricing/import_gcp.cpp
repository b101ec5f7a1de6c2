// The GCP Cloud Billing Catalog SKU list of Compute Engine (REFERENCE.md §3, "GCP Cloud Billing
// Catalog API"): pages {skus[], nextPageToken}, SKU {description, category{resourceFamily,
// resourceGroup, usageType}, serviceRegions[], pricingInfo[{pricingExpression{usageUnit,
// tieredRates[{startUsageAmount, unitPrice{units, nanos}}]}, effectiveTime}]}.
//
// GCP has no machine-type price: a machine is its vCPU SKU x vCPUs + RAM SKU x GiB + GPU SKU x
// GPUs (+ the auto-attached local SSD on a2-ultragpu and a3, off by default, see ImportOptions).
// SKUs are joined by description, "<family> Instance Core running in <place>", "<GPU> GPU
// running in <place>", and by serviceRegions. The exact prefix matters: OnDemand also covers
// discounted variants ("Reserved ...", "... DWS ...") that a substring match would pick up at
// ~43 % of list price (REFERENCE §3 gotcha (3)), so a description must start with the pattern
// and its place must carry no discount word. A price is units + nanos x 1e-9.
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

constexpr double kHoursPerMonth = 730.0;  // GCP's monthly SKUs: 730 hours a month

struct Sku {
  std::string description;
  std::string usage_type;  // OnDemand, Preemptible, Commit1Yr, Commit3Yr
  std::vector<std::string> regions;
  std::string unit;  // h, GiBy.h, GiBy.mo
  double usd = 0;    // per unit
  std::string effective;
  std::string path;  // for notes
};

// The machine types cirrus knows, with the SKU description patterns that price them. The
// first pattern that matches wins (specific before generic).
struct Shape {
  const char* name;
  std::vector<std::string> core;  // "<family> Instance Core running in "
  std::vector<std::string> ram;
  std::vector<std::string> gpu;  // "<GPU> GPU running in "
  double local_ssd_gib;          // auto-attached, 0 for none
};

const std::vector<std::string> kA2Core = {"A2 Instance Core running in "};
const std::vector<std::string> kA2Ram = {"A2 Instance Ram running in "};
const std::vector<std::string> kA3Core = {"A3 Instance Core running in "};
const std::vector<std::string> kA3Ram = {"A3 Instance Ram running in "};
const std::vector<std::string> kA3MegaCore = {"A3 Mega Instance Core running in ",
                                              "A3Mega Instance Core running in ",
                                              "A3 Instance Core running in "};
const std::vector<std::string> kA3MegaRam = {"A3 Mega Instance Ram running in ",
                                             "A3Mega Instance Ram running in ",
                                             "A3 Instance Ram running in "};
const std::vector<std::string> kA3UltraCore = {"A3 Ultra Instance Core running in ",
                                               "A3Ultra Instance Core running in ",
                                               "A3 Instance Core running in "};
const std::vector<std::string> kA3UltraRam = {"A3 Ultra Instance Ram running in ",
                                              "A3Ultra Instance Ram running in ",
                                              "A3 Instance Ram running in "};
const std::vector<std::string> kG2Core = {"G2 Instance Core running in "};
const std::vector<std::string> kG2Ram = {"G2 Instance Ram running in "};
const std::vector<std::string> kA100 = {"Nvidia Tesla A100 GPU running in ",
                                        "Nvidia A100 40GB GPU running in "};
const std::vector<std::string> kA100With80Gb = {"Nvidia Tesla A100 80GB GPU running in ",
                                                "Nvidia A100 80GB GPU running in "};
const std::vector<std::string> kH100 = {"Nvidia H100 80GB GPU running in "};
const std::vector<std::string> kH100Mega = {"Nvidia H100 80GB Mega GPU running in ",
                                            "Nvidia H100 Mega 80GB GPU running in "};
const std::vector<std::string> kH200 = {"Nvidia H200 141GB GPU running in ",
                                        "Nvidia H200 GPU running in "};
const std::vector<std::string> kL4 = {"Nvidia L4 GPU running in "};
const std::vector<std::string> kLocalSsd = {"SSD backed Local Storage running in "};

const std::vector<Shape>& shapes() {
  static const std::vector<Shape> kShapes = {
      {"a2-highgpu-1g", kA2Core, kA2Ram, kA100, 0},
      {"a2-highgpu-2g", kA2Core, kA2Ram, kA100, 0},
      {"a2-highgpu-4g", kA2Core, kA2Ram, kA100, 0},
      {"a2-highgpu-8g", kA2Core, kA2Ram, kA100, 0},
      {"a2-megagpu-16g", kA2Core, kA2Ram, kA100, 0},
      {"a2-ultragpu-1g", kA2Core, kA2Ram, kA100With80Gb, 375},
      {"a2-ultragpu-2g", kA2Core, kA2Ram, kA100With80Gb, 750},
      {"a2-ultragpu-4g", kA2Core, kA2Ram, kA100With80Gb, 1500},
      {"a2-ultragpu-8g", kA2Core, kA2Ram, kA100With80Gb, 3000},
      {"a3-highgpu-8g", kA3Core, kA3Ram, kH100, 6000},
      {"a3-megagpu-8g", kA3MegaCore, kA3MegaRam, kH100Mega, 6000},
      {"a3-ultragpu-8g", kA3UltraCore, kA3UltraRam, kH200, 12000},
      {"g2-standard-4", kG2Core, kG2Ram, kL4, 0},
      {"g2-standard-8", kG2Core, kG2Ram, kL4, 0},
      {"g2-standard-12", kG2Core, kG2Ram, kL4, 0},
      {"g2-standard-16", kG2Core, kG2Ram, kL4, 0},
      {"g2-standard-24", kG2Core, kG2Ram, kL4, 0},
      {"g2-standard-32", kG2Core, kG2Ram, kL4, 0},
      {"g2-standard-48", kG2Core, kG2Ram, kL4, 0},
      {"g2-standard-96", kG2Core, kG2Ram, kL4, 0},
  };
  return kShapes;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Words that mark a discounted or special variant of a list-price SKU.
bool has_discount_word(std::string_view text) {
  // clang-format off
  static const char* const kWords[] = {
      "reserv", "commit", "dws", "dynamic workload", "workload scheduler", "flex", "calendar",
      "sole tenan", "sole-tenan", "custom", "premium", "spot", "preemptible", "discount",
      "extended", "defined duration", "promo", "free"};
  // clang-format on
  const std::string l = lower(text);
  for (const char* w : kWords) {
    if (l.find(w) != std::string::npos) return true;
  }
  return false;
}

enum class Use { kOnDemand, kSpot, kCommit1y, kCommit3y };

// Whether a SKU is the list-price SKU of pattern `prefix` ("<thing> running in ") for `use`.
bool matches(const Sku& sku, const std::string& prefix, Use use) {
  const std::string& d = sku.description;
  switch (use) {
    case Use::kOnDemand: {
      if (sku.usage_type != "OnDemand" || !d.starts_with(prefix)) return false;
      return !has_discount_word(std::string_view(d).substr(prefix.size()));
    }
    case Use::kSpot: {
      if (sku.usage_type != "Preemptible") return false;
      // "Spot Preemptible A3 Instance Core running in ...", "Preemptible ...", or
      // "Nvidia H100 80GB GPU attached to Spot Preemptible VMs running in ...".
      std::string_view rest = d;
      for (const char* lead : {"Spot Preemptible ", "Preemptible "}) {
        if (rest.starts_with(lead)) {
          rest.remove_prefix(std::char_traits<char>::length(lead));
          break;
        }
      }
      if (rest.starts_with(prefix)) return true;
      const std::string thing =
          prefix.substr(0, prefix.size() - std::string(" running in ").size());
      return d.starts_with(thing + " attached to Spot Preemptible VMs running in ");
    }
    case Use::kCommit1y:
    case Use::kCommit3y: {
      if (sku.usage_type != (use == Use::kCommit1y ? "Commit1Yr" : "Commit3Yr")) return false;
      std::string_view rest = d;
      for (const char* lead : {"Commitment v1: ", "Commitment v2: ", "Commitment: "}) {
        if (rest.starts_with(lead)) {
          rest.remove_prefix(std::char_traits<char>::length(lead));
          break;
        }
      }
      // "<family> Instance Core running in " also appears as "<family> Cpu in " or
      // "<family> Core in " in commitment SKUs; RAM as "<family> Ram in ".
      const std::string thing =
          prefix.substr(0, prefix.size() - std::string(" running in ").size());
      std::vector<std::string> forms = {prefix, thing + " in "};
      for (const char* kind : {" Instance Core", " Instance Ram"}) {
        const auto at = thing.find(kind);
        if (at == std::string::npos) continue;
        const std::string family = thing.substr(0, at);
        if (std::string(kind) == " Instance Core") {
          forms.push_back(family + " Cpu in ");
          forms.push_back(family + " Core in ");
        } else {
          forms.push_back(family + " Ram in ");
          forms.push_back(family + " Memory in ");
        }
      }
      for (const auto& form : forms) {
        if (rest.starts_with(form)) {
          std::string tail(rest.substr(form.size()));
          // The place and " for 1 Year": nothing else may qualify it.
          const auto f = tail.find(" for ");
          if (f != std::string::npos) tail = tail.substr(0, f);
          return !has_discount_word(tail);
        }
      }
      return false;
    }
  }
  return false;
}

struct Part {
  double usd_per_hour_per_unit = 0;  // per vCPU, per GiB or per GPU
  const Sku* sku = nullptr;
  bool ambiguous = false;   // several SKUs matched with different prices (the highest is kept)
  std::size_t pattern = 0;  // which of the patterns matched (0: the first, the shape's own)
};

// The price of one component in the region: the first pattern with a match; among several
// matching SKUs the highest price (the list price; discounted variants are lower).
std::optional<Part> find_part(const std::vector<Sku>& skus,
                              const std::vector<std::string>& patterns, Use use,
                              const std::string& region, bool per_gib) {
  for (std::size_t k = 0; k < patterns.size(); ++k) {
    const std::string& prefix = patterns[k];
    std::optional<Part> part;
    for (const Sku& s : skus) {
      if (std::find(s.regions.begin(), s.regions.end(), region) == s.regions.end()) continue;
      if (!matches(s, prefix, use)) continue;
      double hourly = 0;
      if (s.unit == "h" || s.unit == "GiBy.h") {
        if ((s.unit == "GiBy.h") != per_gib) continue;
        hourly = s.usd;
      } else if (s.unit == "GiBy.mo" && per_gib) {
        hourly = s.usd / kHoursPerMonth;
      } else {
        continue;
      }
      // A price of 0 is no price: SKUs of machines not yet priced carry 0 (REFERENCE §3
      // gotcha (6), a4-highgpu-8g), and a machine composed with one would look cheap.
      if (!(hourly > 0)) continue;
      if (!part) {
        part = Part{hourly, &s, false, k};
      } else if (hourly != part->usd_per_hour_per_unit) {
        part->ambiguous = true;
        if (hourly > part->usd_per_hour_per_unit) {
          part->usd_per_hour_per_unit = hourly;
          part->sku = &s;
        }
      }
    }
    if (part) return part;
  }
  return std::nullopt;
}

std::string optional_string(const JsonNode& n, const char* key) {
  const auto v = n.find(key);
  if (!v || v->is_null()) return "";
  return v->as_string();
}

// units (an int64 written as a string, or a number) + nanos x 1e-9.
double money(const JsonNode& unit_price) {
  double units = 0;
  if (const auto u = unit_price.find("units"); u && !u->is_null()) {
    if (u->is_string()) {
      const auto v = detail::parse_decimal(u->as_string());
      if (!v) u->fail("an integer number of USD (\"units\")");
      units = *v;
    } else {
      units = static_cast<double>(u->as_int());
    }
  }
  double nanos = 0;
  if (const auto n = unit_price.find("nanos"); n && !n->is_null()) {
    nanos = static_cast<double>(n->as_int());
  }
  const auto currency = optional_string(unit_price, "currencyCode");
  if (!currency.empty() && currency != "USD") unit_price.fail("a price in USD");
  // nanos / 1e9, not nanos * 1e-9: the division rounds once, so 25130000 nanos is 0.02513.
  const double usd = units + nanos / 1e9;
  if (usd < 0) unit_price.fail("a price in USD >= 0 (units + nanos)");
  return round_price(usd);
}

Sku read_sku(const JsonNode& n) {
  Sku s;
  s.path = n.path();
  s.description = optional_string(n, "description");
  if (const auto cat = n.find("category"); cat && !cat->is_null()) {
    s.usage_type = optional_string(*cat, "usageType");
  }
  if (const auto regions = n.find("serviceRegions"); regions && !regions->is_null()) {
    for (std::size_t i = 0; i < regions->size(); ++i) {
      s.regions.push_back(regions->index(i).as_string());
    }
  }
  const auto infos = n.find("pricingInfo");
  if (!infos || infos->is_null() || infos->size() == 0) return s;
  // The latest pricing info (the list is normally one entry).
  std::optional<JsonNode> info;
  std::string latest;
  for (std::size_t i = 0; i < infos->size(); ++i) {
    const JsonNode candidate = infos->index(i);
    const std::string t = optional_string(candidate, "effectiveTime");
    if (!info || t > latest) {
      info = candidate;
      latest = t;
    }
  }
  s.effective = latest;
  const JsonNode expr = info->at("pricingExpression");
  s.unit = optional_string(expr, "usageUnit");
  const JsonNode rates = expr.at("tieredRates");
  // Compute SKUs have one tier starting at 0. Where there are several, a free allowance
  // (price 0 up to some usage) is skipped: a machine that runs for hours uses it up at once,
  // so the price it pays is that of the first paid tier, the one with the lowest start.
  double best_start = 0;
  bool found = false;
  for (std::size_t i = 0; i < rates.size(); ++i) {
    const JsonNode rate = rates.index(i);
    double start = 0;
    if (const auto st = rate.find("startUsageAmount"); st && !st->is_null()) {
      start = st->as_non_negative();
    }
    const double usd = money(rate.at("unitPrice"));
    if (usd < 0) rate.at("unitPrice").fail("a price >= 0");
    if (!(usd > 0)) continue;
    if (!found || start < best_start) {
      s.usd = usd;
      best_start = start;
      found = true;
    }
  }
  return s;
}

}  // namespace

Catalog import_gcp_skus(const std::vector<InputFile>& files, const ImportOptions& options) {
  if (files.empty()) throw InputError("", "", "at least one GCP SKU page", "none");
  const std::string region = options.region.empty() ? default_region("gcp") : options.region;
  std::vector<Sku> skus;
  static const std::string kWhat =
      "a Cloud Billing Catalog SKU list of Compute Engine ({\"skus\": [...]} pages, or the "
      "JSON array of SKUs that `gcloud billing skus list --format=json` writes)";
  for (const InputFile& f : files) {
    // A file holds one page, several pages one after another, a JSON array of pages, or
    // gcloud's array of SKU objects.
    const std::vector<nlohmann::json> docs = detail::parse_json_documents(f, kWhat);
    auto read_page = [&](const JsonNode& page) {
      const JsonNode list = page.at("skus");
      if (!list.is_array()) list.fail("an array of SKUs");
      for (std::size_t i = 0; i < list.size(); ++i) {
        const JsonNode n = list.index(i);
        if (!n.is_object()) n.fail("a SKU (an object)");
        skus.push_back(read_sku(n));
      }
    };
    for (const nlohmann::json& doc : docs) {
      const JsonNode root(doc, f.path, "");
      if (root.is_object() && root.has("skus")) {
        read_page(root);
      } else if (root.is_array()) {
        for (std::size_t i = 0; i < root.size(); ++i) {
          const JsonNode n = root.index(i);
          if (n.is_object() && n.has("skus")) {
            read_page(n);
          } else if (n.is_object() && (n.has("skuId") || n.has("pricingInfo"))) {
            skus.push_back(read_sku(n));
          } else {
            n.fail("a GCP SKU (skuId, description, pricingInfo) or a page {\"skus\": [...]}");
          }
        }
      } else {
        throw InputError(
            f.path, "skus", kWhat,
            root.is_object() ? detail::describe_json_keys(root.keys()) : root.describe());
      }
    }
  }
  const std::string names = detail::file_names(files);
  std::set<std::string> regions;
  bool region_found = false;
  for (const Sku& s : skus) {
    for (const auto& r : s.regions) {
      regions.insert(r);
      region_found = region_found || r == region;
    }
  }
  if (!region_found) {
    throw InputError(names, "", fmt::format("SKUs whose serviceRegions include {}", region),
                     fmt::format("none (regions in the file: {})",
                                 detail::preview_list({regions.begin(), regions.end()})));
  }

  std::string latest;
  std::string files_label;
  for (const auto& f : files) {
    files_label += (files_label.empty() ? "" : ", ") + detail::base_name(f.path);
  }

  Catalog catalog;
  catalog.provider = "gcp";
  std::vector<std::string> missing;
  struct Composed {
    std::optional<double> usd;
    std::string formula;
    bool ambiguous = false;
    std::string effective;
    std::string fallback;  // the note when a generic SKU priced the vCPUs or memory
  };
  auto compose = [&](const Shape& shape, const KnownHardware& hw, Use use) {
    Composed c;
    const auto core = find_part(skus, shape.core, use, region, false);
    const auto ram = find_part(skus, shape.ram, use, region, true);
    const auto gpu = find_part(skus, shape.gpu, use, region, false);
    if (!core || !ram || !gpu) return c;
    double total = hw.vcpus * core->usd_per_hour_per_unit +
                   hw.memory_gib * ram->usd_per_hour_per_unit +
                   hw.gpus * gpu->usd_per_hour_per_unit;
    c.formula = fmt::format("{} vCPU x {} + {} GiB x {} + {} GPU x {}", hw.vcpus,
                            core->usd_per_hour_per_unit, hw.memory_gib, ram->usd_per_hour_per_unit,
                            hw.gpus, gpu->usd_per_hour_per_unit);
    c.ambiguous = core->ambiguous || ram->ambiguous || gpu->ambiguous;
    if (core->pattern > 0 || ram->pattern > 0) {
      // e.g. a3-ultragpu-8g without A3 Ultra SKUs: priced with the A3 High ones.
      c.fallback = fmt::format("vCPU and memory priced with the \"{}\" SKUs (no \"{}\" SKU)",
                               shape.core[core->pattern] + "...", shape.core.front() + "...");
    }
    c.effective = std::max({core->sku->effective, ram->sku->effective, gpu->sku->effective});
    if (options.gcp_include_local_ssd && shape.local_ssd_gib > 0 && use != Use::kCommit1y &&
        use != Use::kCommit3y) {
      const auto ssd = find_part(skus, kLocalSsd, use, region, true);
      if (!ssd) return Composed{};
      total += shape.local_ssd_gib * ssd->usd_per_hour_per_unit;
      c.formula +=
          fmt::format(" + {} GiB local SSD x {}", shape.local_ssd_gib, ssd->usd_per_hour_per_unit);
    }
    if (total > 0) c.usd = round_price(total);
    return c;
  };

  for (const Shape& shape : shapes()) {
    const KnownHardware* hw = find_known_hardware("gcp", shape.name);
    if (hw == nullptr) continue;
    const Composed od = compose(shape, *hw, Use::kOnDemand);
    const Composed spot = compose(shape, *hw, Use::kSpot);
    const Composed c1 = compose(shape, *hw, Use::kCommit1y);
    const Composed c3 = compose(shape, *hw, Use::kCommit3y);
    if (!od.usd && !spot.usd) {
      missing.emplace_back(shape.name);
      continue;
    }
    Instance in;
    in.provider = "gcp";
    in.name = shape.name;
    in.id = std::string("gcp:") + shape.name;
    in.region = region;
    apply_known_hardware(in);
    std::vector<std::string> notes;
    in.prices.on_demand = od.usd;
    if (od.usd)
      notes.push_back("on-demand = " + od.formula);
    else
      notes.push_back("no on-demand SKUs for this machine in the region");
    if (spot.usd && od.usd && *spot.usd == *od.usd) {
      notes.push_back("spot equals on-demand: no spot offer");
    } else if (spot.usd) {
      in.prices.spot = spot.usd;
      notes.push_back("spot = " + spot.formula);
    }
    in.prices.committed_1y = c1.usd;
    in.prices.committed_3y = c3.usd;
    if (!od.fallback.empty()) notes.push_back(od.fallback);
    if (od.ambiguous || spot.ambiguous) {
      notes.push_back(
          "several SKUs matched a component with different prices; the highest "
          "(list) price was kept");
    }
    if (shape.local_ssd_gib > 0 && !options.gcp_include_local_ssd) {
      const auto ssd = find_part(skus, kLocalSsd, Use::kOnDemand, region, true);
      notes.push_back(
          ssd ? fmt::format("{} GiB auto-attached local SSD not included: {:.5f} USD/h more",
                            shape.local_ssd_gib, shape.local_ssd_gib * ssd->usd_per_hour_per_unit)
              : fmt::format("{} GiB auto-attached local SSD not included", shape.local_ssd_gib));
    }
    for (const Composed* c : {&od, &spot, &c1, &c3}) {
      if (c->usd) latest = std::max(latest, c->effective);
    }
    in.note = fmt::format("{}", fmt::join(notes, "; "));
    catalog.instances.push_back(std::move(in));
  }
  if (catalog.instances.empty()) {
    throw InputError(
        names, "",
        fmt::format("vCPU, RAM and GPU SKUs of a machine type cirrus knows in {}", region),
        fmt::format("none could be composed (tried {})", detail::preview_list(missing, 6)));
  }

  std::string retrieved = options.retrieved;
  if (retrieved.empty()) retrieved = detail::date_part(latest);
  if (retrieved.empty()) {
    throw InputError(names, "skus", "a pricingInfo effectiveTime (or --retrieved DATE)", "none");
  }
  const std::string source = fmt::format(
      "GCP Cloud Billing Catalog, Compute Engine SKUs ({}): vCPU + RAM + GPU SKUs by exact "
      "description, serviceRegions {}{}",
      files_label, region, options.retrieved.empty() ? "; dated by the SKUs' effectiveTime" : "");
  for (Instance& in : catalog.instances) {
    in.source = PriceSource{source, retrieved, true};
    for (const PricingModel m : {PricingModel::kCommitted1y, PricingModel::kCommitted3y}) {
      if (in.prices.get(m)) {
        in.price_sources[m] = PriceSource{
            source + (m == PricingModel::kCommitted1y ? "; Commit1Yr SKUs" : "; Commit3Yr SKUs"),
            retrieved, true};
      }
    }
  }
  detail::require_plausible_prices(catalog, names);
  check_catalog(catalog);
  return catalog;
}

}  // namespace cirrus::pricing
