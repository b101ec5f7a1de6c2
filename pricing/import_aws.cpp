// The AWS Price List offer file of EC2 (REFERENCE.md §3, "AWS Price List Bulk API"), JSON or CSV.
//
// JSON: products{sku: {productFamily, attributes{instanceType, regionCode, operatingSystem,
// tenancy, capacitystatus, preInstalledSw, licenseModel, marketoption, vcpu, memory, gpu, ...}}}
// and terms{OnDemand|Reserved: {sku: {"sku.code": {effectiveDate, priceDimensions{...: {unit,
// pricePerUnit{USD}}}, termAttributes{LeaseContractLength, OfferingClass, PurchaseOption}}}}}.
// CSV: five metadata lines, then one row per price dimension with the product's attributes
// repeated (columns read by header name).
//
// A regional EC2 offer file runs to hundreds of megabytes, so the JSON is read with a parser
// callback that keeps only the products that pass the filters and their terms.
#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "common/csv.hpp"
#include "common/input_error.hpp"
#include "pricing/importers.hpp"
#include "pricing/instance_table.hpp"

namespace cirrus::pricing {
namespace {

using detail::date_part;
using detail::leading_number;
using detail::parse_decimal;

constexpr double kHoursPerYear = 8760.0;

struct Product {
  std::string sku;
  std::string family;
  std::string instance_type;
  std::string region;  // regionCode, or the code of a known location name
  std::string os;
  std::string tenancy;
  std::string capacity;
  std::string preinstalled;
  std::string license;
  std::string market;
  std::string vcpu;
  std::string memory;
  std::string gpu;
  std::string network;
};

struct Dimension {
  std::string unit;
  double usd = 0;
  std::string description;
};

struct Term {
  std::string sku;
  bool reserved = false;
  std::string effective;  // YYYY-MM-DD...
  std::string lease;      // "1yr", "3yr"
  std::string offering_class;
  std::string purchase_option;
  std::vector<Dimension> dims;
};

// What the files say, filtered.
struct OfferData {
  std::map<std::string, Product> eligible;   // by sku: Linux, shared, used, no software, region
  std::map<std::string, Term> terms;         // by "sku.offerTermCode", eligible skus only
  std::set<std::string> regions;             // of every compute-instance row
  std::set<std::string> rejected_in_region;  // instance types seen in the region but filtered
  // Instance types of the region sold as Linux Capacity Blocks (marketoption CapacityBlock):
  // listed with no on-demand price when no on-demand SKU passes the filters (p5e, trn2).
  std::map<std::string, Product> capacity_block_in_region;
  std::string publication;  // publicationDate
  std::string version;
  std::string offer_code;
};

// Location names of the offer files that predate regionCode (the price list's "location"
// attribute of AWS Regions; Local and Wavelength Zones have their own names and are not here).
struct LocationEntry {
  const char* location;
  const char* code;
};
constexpr LocationEntry kLocations[] = {
    {"US East (N. Virginia)", "us-east-1"},
    {"US East (Ohio)", "us-east-2"},
    {"US West (N. California)", "us-west-1"},
    {"US West (Oregon)", "us-west-2"},
    {"Canada (Central)", "ca-central-1"},
    {"Canada West (Calgary)", "ca-west-1"},
    {"EU (Ireland)", "eu-west-1"},
    {"EU (London)", "eu-west-2"},
    {"EU (Paris)", "eu-west-3"},
    {"EU (Frankfurt)", "eu-central-1"},
    {"EU (Zurich)", "eu-central-2"},
    {"EU (Stockholm)", "eu-north-1"},
    {"EU (Milan)", "eu-south-1"},
    {"EU (Spain)", "eu-south-2"},
    {"Asia Pacific (Tokyo)", "ap-northeast-1"},
    {"Asia Pacific (Seoul)", "ap-northeast-2"},
    {"Asia Pacific (Osaka)", "ap-northeast-3"},
    {"Asia Pacific (Singapore)", "ap-southeast-1"},
    {"Asia Pacific (Sydney)", "ap-southeast-2"},
    {"Asia Pacific (Jakarta)", "ap-southeast-3"},
    {"Asia Pacific (Melbourne)", "ap-southeast-4"},
    {"Asia Pacific (Malaysia)", "ap-southeast-5"},
    {"Asia Pacific (Thailand)", "ap-southeast-7"},
    {"Asia Pacific (Mumbai)", "ap-south-1"},
    {"Asia Pacific (Hyderabad)", "ap-south-2"},
    {"Asia Pacific (Hong Kong)", "ap-east-1"},
    {"Middle East (Bahrain)", "me-south-1"},
    {"Middle East (UAE)", "me-central-1"},
    {"Israel (Tel Aviv)", "il-central-1"},
    {"Africa (Cape Town)", "af-south-1"},
    {"Mexico (Central)", "mx-central-1"},
    {"South America (Sao Paulo)", "sa-east-1"},
    {"AWS GovCloud (US-East)", "us-gov-east-1"},
    {"AWS GovCloud (US)", "us-gov-west-1"},
    {"AWS GovCloud (US-West)", "us-gov-west-1"},
};

std::string region_of_location(std::string_view location) {
  for (const LocationEntry& e : kLocations) {
    if (location == e.location) return e.code;
  }
  return "";
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_compute_instance(const Product& p) { return p.family.starts_with("Compute Instance"); }

bool is_linux_shared(const Product& p) { return p.os == "Linux" && p.tenancy == "Shared"; }

// REFERENCE §3 gotcha (1): Linux + Shared + no pre-installed software + Used capacity, or the
// same instance is counted several times (and capacity reservations bring $0 rows).
bool passes_filters(const Product& p) {
  return is_compute_instance(p) && !p.instance_type.empty() && p.os == "Linux" &&
         p.tenancy == "Shared" && (p.capacity.empty() || p.capacity == "Used") &&
         (p.preinstalled.empty() || p.preinstalled == "NA") &&
         (p.license.empty() || p.license == "No License required") &&
         (p.market.empty() || p.market == "OnDemand");
}

void consider_product(OfferData& data, Product p, const std::string& region) {
  if (!is_compute_instance(p) || p.instance_type.empty()) return;
  if (!p.region.empty()) data.regions.insert(p.region);
  if (p.region != region) return;
  if (!passes_filters(p)) {
    data.rejected_in_region.insert(p.instance_type);
    if (is_linux_shared(p) && p.market == "CapacityBlock") {
      data.capacity_block_in_region.try_emplace(p.instance_type, p);
    }
    return;
  }
  data.eligible.emplace(p.sku, std::move(p));
}

// ---- JSON ----

// A string member of a JSON object, "" when absent; an InputError when it is not a string.
std::string json_string(const nlohmann::json& obj, const char* key, const std::string& file,
                        const std::string& path) {
  if (!obj.is_object()) throw InputError(file, path, "an object", "another JSON value");
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number()) return it->dump();
  throw InputError(file, path + "." + key, "a string", "another JSON value");
}

Product product_from_json(const nlohmann::json& j, const std::string& sku_key,
                          const std::string& file, std::string path = "") {
  if (path.empty()) path = "products." + sku_key;
  if (!j.is_object()) throw InputError(file, path, "a product object", "another JSON value");
  Product p;
  p.sku = json_string(j, "sku", file, path);
  if (p.sku.empty()) p.sku = sku_key;
  p.family = json_string(j, "productFamily", file, path);
  const auto attrs = j.find("attributes");
  if (attrs == j.end()) return p;
  const std::string ap = path + ".attributes";
  const nlohmann::json& a = *attrs;
  p.instance_type = json_string(a, "instanceType", file, ap);
  p.region = json_string(a, "regionCode", file, ap);
  if (p.region.empty()) p.region = region_of_location(json_string(a, "location", file, ap));
  p.os = json_string(a, "operatingSystem", file, ap);
  p.tenancy = json_string(a, "tenancy", file, ap);
  p.capacity = json_string(a, "capacitystatus", file, ap);
  p.preinstalled = json_string(a, "preInstalledSw", file, ap);
  p.license = json_string(a, "licenseModel", file, ap);
  p.market = json_string(a, "marketoption", file, ap);
  p.vcpu = json_string(a, "vcpu", file, ap);
  p.memory = json_string(a, "memory", file, ap);
  p.gpu = json_string(a, "gpu", file, ap);
  p.network = json_string(a, "networkPerformance", file, ap);
  return p;
}

double usd_of(const std::string& text, const std::string& file, const std::string& path) {
  const auto v = parse_decimal(text);
  if (!v || *v < 0) {
    throw InputError(file, path, "a price in USD >= 0 as a decimal string", detail::quoted(text));
  }
  return *v;
}

// One SKU's terms: {"sku.code": {effectiveDate, priceDimensions, termAttributes}}.
void terms_from_json(OfferData& data, const nlohmann::json& j, const std::string& sku,
                     bool reserved, const std::string& file, const std::string& path) {
  if (!j.is_object()) throw InputError(file, path, "an object of terms", "another JSON value");
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string tp = path + "." + it.key();
    const nlohmann::json& t = it.value();
    if (!t.is_object()) throw InputError(file, tp, "a term object", "another JSON value");
    Term term;
    term.sku = sku;
    term.reserved = reserved;
    term.effective = json_string(t, "effectiveDate", file, tp);
    if (const auto attrs = t.find("termAttributes"); attrs != t.end() && attrs->is_object()) {
      term.lease = json_string(*attrs, "LeaseContractLength", file, tp + ".termAttributes");
      term.offering_class = json_string(*attrs, "OfferingClass", file, tp + ".termAttributes");
      term.purchase_option = json_string(*attrs, "PurchaseOption", file, tp + ".termAttributes");
    }
    const auto dims = t.find("priceDimensions");
    if (dims == t.end() || !dims->is_object()) {
      throw InputError(file, tp + ".priceDimensions", "an object of price dimensions",
                       dims == t.end() ? "nothing" : "another JSON value");
    }
    for (auto d = dims->begin(); d != dims->end(); ++d) {
      const std::string dp = tp + ".priceDimensions." + d.key();
      Dimension dim;
      dim.unit = json_string(d.value(), "unit", file, dp);
      dim.description = json_string(d.value(), "description", file, dp);
      const auto ppu = d.value().find("pricePerUnit");
      if (ppu == d.value().end() || !ppu->is_object()) {
        throw InputError(file, dp + ".pricePerUnit", "an object {\"USD\": \"...\"}", "nothing");
      }
      const std::string usd = json_string(*ppu, "USD", file, dp + ".pricePerUnit");
      if (usd.empty()) continue;  // another currency (China regions)
      dim.usd = usd_of(usd, file, dp + ".pricePerUnit.USD");
      term.dims.push_back(std::move(dim));
    }
    data.terms[sku + "." + it.key()] = std::move(term);
  }
}

// The Query API's answer (`aws pricing get-products`, REFERENCE §3): {"FormatVersion": "aws_v1",
// "PriceList": ["{\"product\": {...}, \"terms\": {\"OnDemand\": {\"SKU.CODE\": {...}}, ...},
// \"publicationDate\": ...}", ...], "NextToken": ...}: one product with its terms per item,
// written as JSON text (or, saved decoded, as an object).
void read_price_list(OfferData& data, const nlohmann::json& list, const std::string& file,
                     const std::string& region) {
  if (!list.is_array()) {
    throw InputError(file, "PriceList", "an array of products (get-products)", "another value");
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string path = fmt::format("PriceList[{}]", i);
    nlohmann::json item;
    if (list[i].is_string()) {
      try {
        item = nlohmann::json::parse(list[i].get<std::string>());
      } catch (const nlohmann::json::exception& e) {
        std::string what = e.what();
        if (const auto pos = what.find("] "); pos != std::string::npos) what = what.substr(pos + 2);
        throw InputError(file, path, "a product as JSON text", what);
      }
    } else {
      item = list[i];
    }
    if (!item.is_object() || !item.contains("product")) {
      throw InputError(file, path, "a product {product, terms, publicationDate}",
                       item.is_object() ? "an object without \"product\"" : "another value");
    }
    const nlohmann::json& prod = item["product"];
    const std::string sku =
        prod.is_object() ? json_string(prod, "sku", file, path + ".product") : std::string();
    Product p = product_from_json(prod, sku, file, path + ".product");
    const std::string key = p.sku;
    consider_product(data, std::move(p), region);
    const std::string pub = json_string(item, "publicationDate", file, path);
    if (!pub.empty()) data.publication = std::max(data.publication, pub);
    if (const std::string v = json_string(item, "version", file, path); !v.empty()) {
      data.version = v;
    }
    if (data.eligible.count(key) == 0) continue;
    const auto terms = item.find("terms");
    if (terms == item.end() || !terms->is_object()) continue;
    for (const char* type : {"OnDemand", "Reserved"}) {
      const auto t = terms->find(type);
      if (t == terms->end() || t->is_null()) continue;
      terms_from_json(data, *t, key, std::string(type) == "Reserved", file,
                      path + ".terms." + type);
    }
  }
}

void read_offer_json(OfferData& data, const std::string& text, const std::string& file,
                     const std::string& region) {
  std::vector<std::string> keys(8);  // keys[d]: the key at depth d
  std::vector<std::string> top_keys;
  // Terms met before their products (not the order AWS writes) wait here.
  std::vector<std::pair<std::string, nlohmann::json>> pending_on_demand, pending_reserved;
  bool products_seen = false;
  auto callback = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using E = nlohmann::json::parse_event_t;
    const auto d = static_cast<std::size_t>(depth);
    if (event == E::key) {
      if (d >= keys.size()) keys.resize(d + 1);
      keys[d] = parsed.get<std::string>();
      if (d == 1) top_keys.push_back(keys[1]);
      return true;
    }
    if (event != E::object_end && event != E::array_end && event != E::value) return true;
    if (d == 1 && (keys[1] == "products" || keys[1] == "terms")) {
      if (keys[1] == "products") products_seen = true;
      return false;  // emptied below; nothing left to keep
    }
    if (d == 2 && keys[1] == "products") {
      consider_product(data, product_from_json(parsed, keys[2], file), region);
      return false;
    }
    if (d == 3 && keys[1] == "terms" && (keys[2] == "OnDemand" || keys[2] == "Reserved")) {
      const bool reserved = keys[2] == "Reserved";
      const std::string& sku = keys[3];
      if (!products_seen) {
        (reserved ? pending_reserved : pending_on_demand).emplace_back(sku, std::move(parsed));
      } else if (data.eligible.count(sku) != 0) {
        terms_from_json(data, parsed, sku, reserved, file, "terms." + keys[2] + "." + sku);
      }
      return false;
    }
    return true;
  };
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text, callback);
  } catch (const nlohmann::json::exception& e) {
    // Parse errors, and numbers out of range (4e10480762136: out_of_range.406, not a
    // parse_error; found by aws_offer_fuzz).
    std::string what = e.what();
    const auto pos = what.find("] ");
    if (pos != std::string::npos) what = what.substr(pos + 2);
    throw InputError(file, "", "well-formed JSON (an AWS offer file)", what);
  }
  if (!doc.is_object()) {
    throw InputError(file, "", "an AWS Price List offer file (a JSON object)", "another value");
  }
  if (std::find(top_keys.begin(), top_keys.end(), "PriceList") != top_keys.end()) {
    read_price_list(data, doc["PriceList"], file, region);
    return;
  }
  const bool has_products =
      std::find(top_keys.begin(), top_keys.end(), "products") != top_keys.end();
  const bool has_terms = std::find(top_keys.begin(), top_keys.end(), "terms") != top_keys.end();
  if (!has_products || !has_terms) {
    throw InputError(file, has_products ? "terms" : "products",
                     "an AWS Price List offer file (formatVersion, products, terms) or a "
                     "get-products answer (PriceList)",
                     detail::describe_json_keys(top_keys));
  }
  for (auto& [sku, j] : pending_on_demand) {
    if (data.eligible.count(sku) != 0) {
      terms_from_json(data, j, sku, false, file, "terms.OnDemand." + sku);
    }
  }
  for (auto& [sku, j] : pending_reserved) {
    if (data.eligible.count(sku) != 0) {
      terms_from_json(data, j, sku, true, file, "terms.Reserved." + sku);
    }
  }
  const std::string pub = json_string(doc, "publicationDate", file, "");
  if (!pub.empty()) data.publication = std::max(data.publication, pub);
  if (const std::string v = json_string(doc, "version", file, ""); !v.empty()) data.version = v;
  if (const std::string v = json_string(doc, "offerCode", file, ""); !v.empty()) {
    data.offer_code = v;
  }
}

// ---- CSV ----

void read_offer_csv(OfferData& data, const std::string& text, const std::string& file,
                    const std::string& region) {
  CsvReader reader(text, file);
  std::vector<std::string> row;
  std::optional<CsvHeader> header;
  // The metadata lines ("FormatVersion","v1.0" / "Publication Date","..." / ...), then the
  // header. AWS writes five; the header is found by its names, not by counting.
  for (int i = 0; i < 20 && reader.next(row); ++i) {
    CsvHeader h(row);
    if (h.has("SKU") && h.has("TermType") && h.has("PricePerUnit")) {
      header = h;
      break;
    }
    if (row.size() >= 2) {
      const std::string_view k = trim(row[0]);
      if (k == "Publication Date") data.publication = std::max(data.publication, row[1]);
      if (k == "Version") data.version = row[1];
      if (k == "OfferCode") data.offer_code = row[1];
    }
  }
  if (!header) {
    throw InputError(file, "",
                     "an AWS Price List offer file: JSON, or CSV with metadata lines "
                     "and a header naming SKU, TermType, PricePerUnit",
                     "no such header in the first 20 lines; the file starts with " +
                         detail::describe_text_start(text));
  }
  detail::require_clean_text(data.version, file, "Version");
  detail::require_clean_text(data.offer_code, file, "OfferCode");
  const CsvHeader& h = *header;
  for (const char* required : {"Instance Type", "Operating System", "Tenancy", "Unit"}) {
    if (!h.has(required)) {
      throw InputError(file, fmt::format("line {}", reader.line()),
                       fmt::format("an EC2 offer CSV header with a \"{}\" column", required),
                       "a header without it");
    }
  }
  const char* region_column = h.has("Region Code") ? "Region Code" : nullptr;
  const char* market_column = h.has("MarketOption")    ? "MarketOption"
                              : h.has("Market Option") ? "Market Option"
                                                       : nullptr;
  while (reader.next(row)) {
    if (row.size() == 1 && trim(row[0]).empty()) continue;  // blank line
    detail::require_field_count(row.size(), h.size(), file, reader.line());
    Product p;
    p.sku = std::string(h.get(row, "SKU"));
    p.family = std::string(h.get(row, "Product Family"));
    p.instance_type = std::string(h.get(row, "Instance Type"));
    p.region = region_column ? std::string(h.get(row, region_column)) : "";
    if (p.region.empty()) p.region = region_of_location(h.get(row, "Location"));
    p.os = std::string(h.get(row, "Operating System"));
    p.tenancy = std::string(h.get(row, "Tenancy"));
    p.capacity = std::string(h.get(row, "CapacityStatus"));
    p.preinstalled = std::string(h.get(row, "Pre Installed S/W"));
    p.license = std::string(h.get(row, "License Model"));
    p.market = market_column ? std::string(h.get(row, market_column)) : "";
    p.vcpu = std::string(h.get(row, "vCPU"));
    p.memory = std::string(h.get(row, "Memory"));
    p.gpu = std::string(h.get(row, "GPU"));
    p.network = std::string(h.get(row, "Network Performance"));
    const std::string where = fmt::format("line {}", reader.line());
    detail::require_clean_text(p.instance_type, file, where + ": Instance Type");
    detail::require_clean_text(p.sku, file, where + ": SKU");
    const std::string sku = p.sku;
    consider_product(data, std::move(p), region);
    if (data.eligible.count(sku) == 0) continue;
    const std::string_view currency = h.get(row, "Currency");
    if (!currency.empty() && currency != "USD") continue;
    const std::string_view term_type = h.get(row, "TermType");
    if (term_type != "OnDemand" && term_type != "Reserved") continue;
    const std::string key = sku + "." + std::string(h.get(row, "OfferTermCode"));
    Term& t = data.terms[key];
    t.sku = sku;
    t.reserved = term_type == "Reserved";
    t.effective = std::string(h.get(row, "EffectiveDate"));
    t.lease = std::string(h.get(row, "LeaseContractLength"));
    t.offering_class = std::string(h.get(row, "OfferingClass"));
    t.purchase_option = std::string(h.get(row, "PurchaseOption"));
    Dimension dim;
    dim.unit = std::string(h.get(row, "Unit"));
    dim.description = std::string(h.get(row, "PriceDescription"));
    const std::string price(h.get(row, "PricePerUnit"));
    dim.usd = usd_of(price, file, fmt::format("line {}: PricePerUnit", reader.line()));
    t.dims.push_back(std::move(dim));
  }
}

// ---- Assembly ----

bool is_hourly(const Dimension& d) {
  return d.unit == "Hrs" || d.unit == "Hours" || d.unit == "Hr";
}

int lease_years(std::string_view lease) {
  if (lease.starts_with("1")) return 1;
  if (lease.starts_with("3")) return 3;
  return 0;
}

// The hourly on-demand price of one SKU: the latest term's hourly dimension.
std::optional<double> on_demand_of(const OfferData& data, const std::string& sku) {
  std::optional<double> price;
  std::string latest;
  for (auto it = data.terms.lower_bound(sku + "."); it != data.terms.end(); ++it) {
    if (!it->first.starts_with(sku + ".")) break;
    const Term& t = it->second;
    if (t.reserved) continue;
    for (const Dimension& d : t.dims) {
      if (!is_hourly(d) || !(d.usd > 0)) continue;
      if (!price || t.effective > latest) {
        price = d.usd;
        latest = t.effective;
      }
    }
  }
  return price;
}

struct Committed {
  double usd_per_hour = 0;
  std::string purchase_option;
};

// The standard reserved instance for `years`, preferring No Upfront, then Partial, then All
// Upfront; an upfront fee is spread over the term's hours (REFERENCE §3 gotcha (2)).
std::optional<Committed> committed_of(const OfferData& data, const std::string& sku, int years) {
  for (const char* option : {"No Upfront", "Partial Upfront", "All Upfront"}) {
    std::optional<Committed> best;
    std::string latest;
    for (auto it = data.terms.lower_bound(sku + "."); it != data.terms.end(); ++it) {
      if (!it->first.starts_with(sku + ".")) break;
      const Term& t = it->second;
      if (!t.reserved || lease_years(t.lease) != years ||
          lower(trim(t.purchase_option)) != lower(option)) {
        continue;
      }
      if (!t.offering_class.empty() && lower(t.offering_class) != "standard") continue;
      double hourly = 0;
      for (const Dimension& d : t.dims) {
        if (is_hourly(d)) {
          hourly += d.usd;
        } else if (d.unit == "Quantity") {  // "Upfront Fee"
          hourly += d.usd / (kHoursPerYear * years);
        }
      }
      if (!(hourly > 0)) continue;
      if (!best || t.effective > latest) {
        best = Committed{round_price(hourly), option};
        latest = t.effective;
      }
    }
    if (best) return best;
  }
  return std::nullopt;
}

}  // namespace

Catalog import_aws_offer(const std::vector<InputFile>& files, const ImportOptions& options) {
  if (files.empty()) throw InputError("", "", "at least one AWS offer file", "none");
  std::string region = options.region.empty() ? default_region("aws") : options.region;
  // --region "US East (N. Virginia)": the location name of a Region is accepted too.
  if (const std::string code = region_of_location(region); !code.empty()) region = code;
  OfferData data;
  for (const InputFile& f : files) {
    const auto first = f.text.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
    if (first == std::string::npos) {
      throw InputError(f.path, "", "an AWS Price List offer file (JSON or CSV)", "an empty file");
    }
    if (f.text[first] == '{' || f.text[first] == '[') {
      read_offer_json(data, f.text, f.path, region);
    } else {
      read_offer_csv(data, f.text, f.path, region);
    }
  }
  const std::string names = detail::file_names(files);
  if (data.regions.count(region) == 0) {
    throw InputError(names, "", fmt::format("EC2 instance rows for region {}", region),
                     fmt::format("none (regions in the file: {})",
                                 detail::preview_list({data.regions.begin(), data.regions.end()})));
  }
  if (data.eligible.empty() && data.capacity_block_in_region.empty()) {
    throw InputError(
        names, "", fmt::format("Linux, shared-tenancy, used-capacity rows for region {}", region),
        fmt::format("only rows that the filters reject (other systems, tenancies, reservations) "
                    "for {}",
                    detail::preview_list(
                        {data.rejected_in_region.begin(), data.rejected_in_region.end()}, 6)));
  }

  std::string retrieved = options.retrieved;
  if (retrieved.empty()) retrieved = date_part(data.publication);
  if (retrieved.empty()) {
    throw InputError(names, "publicationDate", "a publication date (or --retrieved DATE)", "none");
  }
  std::string files_label;
  for (const auto& f : files) {
    files_label += (files_label.empty() ? "" : ", ") + detail::base_name(f.path);
  }
  const std::string source = fmt::format(
      "AWS Price List offer file {}{} ({}): Linux, Shared tenancy, Used capacity, no "
      "pre-installed software, region {}",
      data.offer_code.empty() ? "AmazonEC2" : data.offer_code,
      data.version.empty() ? "" : " version " + data.version, files_label, region);

  // Group the eligible SKUs by instance type (std::map: sorted, deterministic).
  std::map<std::string, std::vector<const Product*>> by_type;
  for (const auto& [sku, p] : data.eligible) by_type[p.instance_type].push_back(&p);
  // Capacity-Block-only types: listed, with every price null (not offered on demand).
  for (const auto& [type, p] : data.capacity_block_in_region) by_type.try_emplace(type);

  Catalog catalog;
  catalog.provider = "aws";
  for (const auto& [type, products] : by_type) {
    Instance in;
    in.provider = "aws";
    in.name = type;
    in.id = "aws:" + type;
    in.region = region;
    in.source = PriceSource{source, retrieved, true};
    std::vector<std::string> notes;
    // Normally one SKU per type survives the filters; if more do, the lowest price is kept and
    // the note says so.
    std::optional<double> od;
    std::set<double> distinct;
    for (const Product* p : products) {
      if (const auto price = on_demand_of(data, p->sku)) {
        distinct.insert(*price);
        if (!od || *price < *od) od = *price;
      }
    }
    if (distinct.size() > 1) {
      notes.push_back(
          fmt::format("{} SKUs passed the filters with different on-demand prices; "
                      "the lowest is kept",
                      products.size()));
    }
    if (od) {
      in.prices.on_demand = round_price(*od);
    } else if (products.empty()) {
      notes.push_back(
          "sold as Capacity Blocks only: no Linux on-demand SKU in the offer file "
          "(on-demand: null)");
    } else {
      notes.push_back("no on-demand term in the offer file (Capacity Blocks only?)");
    }
    for (const int years : {1, 3}) {
      std::optional<Committed> best;
      for (const Product* p : products) {
        const auto c = committed_of(data, p->sku, years);
        if (c && (!best || c->usd_per_hour < best->usd_per_hour)) best = c;
      }
      if (!best) continue;
      const PricingModel m = years == 1 ? PricingModel::kCommitted1y : PricingModel::kCommitted3y;
      in.prices.set(m, best->usd_per_hour);
      in.price_sources[m] = PriceSource{
          fmt::format("{}; Reserved {}yr standard {}{}", source, years, best->purchase_option,
                      best->purchase_option == "No Upfront"
                          ? ""
                          : fmt::format(", upfront fee spread over {} hours", 8760 * years)),
          retrieved, true};
    }
    notes.push_back("spot prices are not in the AWS price list (spot: null)");

    {
      // Sizes from the SKU that passed the filters, or from the Capacity Block SKU.
      const Product& p =
          products.empty() ? data.capacity_block_in_region.at(type) : *products.front();
      if (const auto v = leading_number(p.vcpu); v && *v > 0) in.vcpus = *v;
      if (const auto v = leading_number(p.memory); v && *v > 0) in.memory_gib = *v;
      if (const auto v = leading_number(p.gpu)) in.gpus = *v;
      if (p.network.find("Gigabit") != std::string::npos) {
        if (const auto v = leading_number(p.network); v && *v > 0) in.network_gbps = *v;
      }
    }
    if (!apply_known_hardware(in) && !in.gpus) in.gpus = 0;  // no gpu attribute: no GPU
    in.note = fmt::format("{}", fmt::join(notes, "; "));
    catalog.instances.push_back(std::move(in));
  }
  detail::require_plausible_prices(catalog, names);
  check_catalog(catalog);
  return catalog;
}

}  // namespace cirrus::pricing
