#include "pricing/catalog.hpp"
#include "common/enum_names.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

#include "common/did_you_mean.hpp"
#include "common/input_error.hpp"
#include "common/json_reader.hpp"
#include "common/read_file.hpp"

namespace cirrus::pricing {

const char* to_string(PricingModel m) { return name_in(kPricingModelNames, m); }

const char* price_key(PricingModel m) {
  switch (m) {
    case PricingModel::kOnDemand:
      return "on_demand";
    case PricingModel::kSpot:
      return "spot";
    case PricingModel::kCommitted1y:
      return "committed_1y";
    case PricingModel::kCommitted3y:
      return "committed_3y";
    case PricingModel::kCapacityBlock:
      return "capacity_block";
    case PricingModel::kFlexStart:
      return "flex_start";
  }
  return "unknown";
}

std::optional<PricingModel> parse_pricing_model(std::string_view name) {
  for (const PricingModel m : kPricingModels) {
    if (name == to_string(m) || name == price_key(m)) return m;
  }
  return std::nullopt;
}

std::size_t index_of(PricingModel m) { return static_cast<std::size_t>(m); }

std::optional<double> Prices::get(PricingModel m) const {
  switch (m) {
    case PricingModel::kOnDemand:
      return on_demand;
    case PricingModel::kSpot:
      return spot;
    case PricingModel::kCommitted1y:
      return committed_1y;
    case PricingModel::kCommitted3y:
      return committed_3y;
    case PricingModel::kCapacityBlock:
      return capacity_block;
    case PricingModel::kFlexStart:
      return flex_start;
  }
  return std::nullopt;
}

void Prices::set(PricingModel m, std::optional<double> usd_per_hour) {
  switch (m) {
    case PricingModel::kOnDemand:
      on_demand = usd_per_hour;
      break;
    case PricingModel::kSpot:
      spot = usd_per_hour;
      break;
    case PricingModel::kCommitted1y:
      committed_1y = usd_per_hour;
      break;
    case PricingModel::kCommitted3y:
      committed_3y = usd_per_hour;
      break;
    case PricingModel::kCapacityBlock:
      capacity_block = usd_per_hour;
      break;
    case PricingModel::kFlexStart:
      flex_start = usd_per_hour;
      break;
  }
}

PriceSource Instance::source_of(PricingModel m) const {
  const auto it = price_sources.find(m);
  return it == price_sources.end() ? source : it->second;
}

bool is_catalog_date(std::string_view date) {
  auto digits = [&](std::size_t from, std::size_t n) {
    for (std::size_t i = from; i < from + n; ++i) {
      if (date[i] < '0' || date[i] > '9') return false;
    }
    return true;
  };
  auto number = [&](std::size_t from, std::size_t n) {
    int v = 0;
    for (std::size_t i = from; i < from + n; ++i) v = v * 10 + (date[i] - '0');
    return v;
  };
  if (date.size() != 7 && date.size() != 10) return false;
  if (!digits(0, 4) || date[4] != '-' || !digits(5, 2)) return false;
  const int month = number(5, 2);
  if (month < 1 || month > 12) return false;
  if (date.size() == 7) return true;
  if (date[7] != '-' || !digits(8, 2)) return false;
  const int day = number(8, 2);
  return day >= 1 && day <= 31;
}

double round_price(double usd) {
  if (!std::isfinite(usd) || std::fabs(usd) >= 1e5) return usd;  // 1e5 * 1e10 < 2^53
  return std::round(usd * 1e10) / 1e10;
}

namespace {

const std::vector<std::string> kTopKeys = {"cirrus_catalog", "provider", "instances"};
const std::vector<std::string> kInstanceKeys = {
    "id",         "region",    "gpu",           "gpu_model", "gpus",     "vcpus",
    "memory_gib", "node",      "network_gbps",  "nics",      "nic_gbps", "prices",
    "source",     "retrieved", "price_sources", "verified",  "note"};
const std::vector<std::string> kSourceKeys = {"source", "retrieved", "verified"};

std::vector<std::string> price_keys() {
  std::vector<std::string> keys;
  keys.reserve(kPricingModels.size());
  for (const PricingModel m : kPricingModels) keys.emplace_back(price_key(m));
  return keys;
}

bool valid_provider(std::string_view p) {
  if (p.empty()) return false;
  return std::all_of(p.begin(), p.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

// An optional string: absent or null reads as empty.
std::string optional_string(const JsonNode& obj, const std::string& key) {
  const auto v = obj.find(key);
  if (!v || v->is_null()) return "";
  return v->as_string();
}

std::optional<double> optional_number(const JsonNode& obj, const std::string& key, bool positive) {
  const auto v = obj.find(key);
  if (!v || v->is_null()) return std::nullopt;
  return positive ? v->as_positive() : v->as_non_negative();
}

std::string read_date(const JsonNode& v) {
  std::string s = v.as_string();
  if (!is_catalog_date(s)) v.fail("a date YYYY-MM-DD (or YYYY-MM)");
  return s;
}

std::string read_nonempty(const JsonNode& v, const std::string& what) {
  std::string s = v.as_string();
  if (s.empty()) v.fail(what);
  return s;
}

PriceSource read_price_source(const JsonNode& n) {
  n.check_keys(kSourceKeys);
  PriceSource s;
  s.source = read_nonempty(n.at("source"), "a non-empty source");
  s.retrieved = read_date(n.at("retrieved"));
  if (const auto v = n.find("verified")) s.verified = v->as_bool();
  return s;
}

Instance read_instance(const JsonNode& n, const std::string& provider) {
  n.check_keys(kInstanceKeys);
  Instance in;
  const JsonNode id = n.at("id");
  in.id = id.as_string();
  const auto colon = in.id.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == in.id.size()) {
    id.fail("an instance id \"provider:name\"");
  }
  in.provider = in.id.substr(0, colon);
  in.name = in.id.substr(colon + 1);
  if (in.provider != provider) {
    id.fail(fmt::format("an id of provider \"{}\" (\"{}:...\"), as the catalog says", provider,
                        provider));
  }
  in.region = read_nonempty(n.at("region"), "a region (\"any\" when every region costs the same)");
  in.gpu = optional_string(n, "gpu");
  in.gpu_model = optional_string(n, "gpu_model");
  in.gpus = optional_number(n, "gpus", false);
  in.vcpus = optional_number(n, "vcpus", true);
  in.memory_gib = optional_number(n, "memory_gib", true);
  in.node = optional_string(n, "node");
  in.network_gbps = optional_number(n, "network_gbps", true);
  if (const auto v = n.find("nics"); v && !v->is_null()) {
    const std::int64_t nics = v->as_positive_int();
    if (nics > 1024) v->fail("a NIC count of at most 1024");
    in.nics = static_cast<int>(nics);
  }
  in.nic_gbps = optional_number(n, "nic_gbps", true);

  const JsonNode prices = n.at("prices");
  prices.check_keys(price_keys());
  for (const PricingModel m : kPricingModels) {
    const auto v = prices.find(price_key(m));
    if (!v || v->is_null()) continue;
    if (!v->is_number()) v->fail("a price in USD per instance-hour, or null when not offered");
    const double usd = v->as_number();
    if (!(usd > 0) || usd > kMaxHourlyPrice) {
      v->fail(
          fmt::format("a positive price in USD per instance-hour of at most {:.0f}, or null "
                      "when not offered (never 0)",
                      kMaxHourlyPrice));
    }
    in.prices.set(m, usd);
  }
  in.source.source = read_nonempty(n.at("source"), "a non-empty source for the prices");
  in.source.retrieved = read_date(n.at("retrieved"));
  if (const auto ps = n.find("price_sources"); ps && !ps->is_null()) {
    ps->check_keys(price_keys());
    for (const PricingModel m : kPricingModels) {
      if (const auto one = ps->find(price_key(m))) in.price_sources[m] = read_price_source(*one);
    }
  }
  if (const auto v = n.find("verified")) in.verified = v->as_bool();
  in.note = optional_string(n, "note");
  return in;
}

// Integral figures print as integers ("gpus": 8, not 8.0); others as the shortest decimal that
// reads back to the same double.
nlohmann::ordered_json number_json(double v) {
  if (std::floor(v) == v && std::fabs(v) < 9.0e15) return static_cast<std::int64_t>(v);
  return v;
}

nlohmann::ordered_json optional_json(const std::optional<double>& v) {
  return v ? number_json(*v) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json string_or_null(const std::string& s) {
  return s.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(s);
}

void check_source(const PriceSource& s, const std::string& what) {
  if (s.source.empty()) throw std::invalid_argument(what + ": empty source");
  if (!is_catalog_date(s.retrieved)) {
    throw std::invalid_argument(what + ": retrieved is not a date: '" + s.retrieved + "'");
  }
}

}  // namespace

Catalog parse_catalog(const std::string& text, const std::string& file) {
  const nlohmann::json doc = JsonNode::parse(text, file);
  const JsonNode root(doc, file, "");
  root.check_keys(kTopKeys);
  const JsonNode version = root.at("cirrus_catalog");
  if (version.as_int() != 1) version.fail("catalog format version 1");
  Catalog c;
  c.file = file;
  const JsonNode provider = root.at("provider");
  c.provider = provider.as_string();
  if (!valid_provider(c.provider))
    provider.fail("a provider name of lower-case letters and digits");
  const JsonNode instances = root.at("instances");
  std::set<std::string> seen;
  for (std::size_t i = 0; i < instances.size(); ++i) {
    const JsonNode n = instances.index(i);
    Instance in = read_instance(n, c.provider);
    if (!seen.insert(in.id).second) {
      n.at("id").fail("an id not used by an earlier instance of this catalog");
    }
    c.instances.push_back(std::move(in));
  }
  return c;
}

Catalog read_catalog(const std::string& path) { return parse_catalog(read_file(path), path); }

std::vector<Catalog> read_catalog_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw IoError(dir + ": no such catalog directory");
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") {
      files.push_back(entry.path().string());
    }
  }
  if (ec) throw IoError(dir + ": cannot list: " + ec.message());
  std::sort(files.begin(), files.end());
  std::vector<Catalog> out;
  out.reserve(files.size());
  for (const auto& f : files) out.push_back(read_catalog(f));
  return out;
}

void check_catalog(const Catalog& catalog) {
  if (!valid_provider(catalog.provider)) {
    throw std::invalid_argument("catalog provider '" + catalog.provider + "' is not valid");
  }
  std::set<std::string> seen;
  for (const Instance& in : catalog.instances) {
    if (in.id != in.provider + ":" + in.name || in.provider != catalog.provider ||
        in.name.empty()) {
      throw std::invalid_argument("instance id '" + in.id + "' does not match its provider/name");
    }
    if (!seen.insert(in.id).second) throw std::invalid_argument("duplicate id " + in.id);
    if (in.region.empty()) throw std::invalid_argument(in.id + ": empty region");
    for (const PricingModel m : kPricingModels) {
      const auto p = in.prices.get(m);
      if (p && !(*p > 0 && std::isfinite(*p))) {
        throw std::invalid_argument(
            fmt::format("{}: {} price {} is not positive", in.id, price_key(m), *p));
      }
    }
    check_source(in.source, in.id);
    for (const auto& [m, s] : in.price_sources) check_source(s, in.id + " " + price_key(m));
  }
}

namespace {

nlohmann::ordered_json instance_json(const Instance& in) {
  using Json = nlohmann::ordered_json;
  Json j;
  j["id"] = in.id;
  j["region"] = in.region;
  j["gpu"] = string_or_null(in.gpu);
  if (!in.gpu_model.empty()) j["gpu_model"] = in.gpu_model;
  j["gpus"] = optional_json(in.gpus);
  j["vcpus"] = optional_json(in.vcpus);
  j["memory_gib"] = optional_json(in.memory_gib);
  j["node"] = string_or_null(in.node);
  j["network_gbps"] = optional_json(in.network_gbps);
  if (in.nics) j["nics"] = *in.nics;
  if (in.nic_gbps) j["nic_gbps"] = number_json(*in.nic_gbps);
  Json prices;
  for (const PricingModel m : kPricingModels) {
    // The products sold under terms of their own are written only when priced, so catalogs
    // without them keep their bytes.
    const bool optional_key = m == PricingModel::kCapacityBlock || m == PricingModel::kFlexStart;
    if (optional_key && !in.prices.get(m)) continue;
    prices[price_key(m)] = optional_json(in.prices.get(m));
  }
  j["prices"] = prices;
  j["source"] = in.source.source;
  j["retrieved"] = in.source.retrieved;
  if (!in.price_sources.empty()) {
    Json ps;
    for (const auto& [m, s] : in.price_sources) {  // std::map: enum order
      Json one;
      one["source"] = s.source;
      one["retrieved"] = s.retrieved;
      if (!s.verified) one["verified"] = false;
      ps[price_key(m)] = one;
    }
    j["price_sources"] = ps;
  }
  if (!in.verified) j["verified"] = false;
  if (!in.note.empty()) j["note"] = in.note;
  return j;
}

}  // namespace

std::string write_catalog(const Catalog& catalog) {
  check_catalog(catalog);
  using Json = nlohmann::ordered_json;
  Json root;
  root["cirrus_catalog"] = 1;
  root["provider"] = catalog.provider;
  Json instances = Json::array();
  for (const Instance& in : catalog.instances) instances.push_back(instance_json(in));
  root["instances"] = std::move(instances);
  return root.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

std::string write_instances(const std::vector<const Instance*>& instances) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const Instance* in : instances) out.push_back(instance_json(*in));
  return out.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

std::vector<Catalog> load_catalogs(const std::string& shipped_dir,
                                   const std::vector<std::string>& extra_files) {
  std::vector<Catalog> shipped = read_catalog_dir(shipped_dir);
  std::vector<Catalog> out;
  out.reserve(extra_files.size() + shipped.size());
  for (const auto& f : extra_files) out.push_back(read_catalog(f));
  for (Catalog& c : shipped) out.push_back(std::move(c));
  return out;
}

const Instance* find_instance(const std::vector<Catalog>& catalogs, std::string_view id) {
  for (const Catalog& c : catalogs) {
    for (const Instance& in : c.instances) {
      if (in.id == id) return &in;
    }
  }
  return nullptr;
}

std::vector<std::string> instance_ids(const std::vector<Catalog>& catalogs) {
  std::vector<std::string> ids;
  for (const Catalog& c : catalogs) {
    for (const Instance& in : c.instances) ids.push_back(in.id);
  }
  return ids;
}

const Instance& lookup_instance(const std::vector<Catalog>& catalogs, const std::string& id,
                                const std::string& file, const std::string& path) {
  if (const Instance* in = find_instance(catalogs, id)) return *in;
  const auto ids = instance_ids(catalogs);
  // Suggest on the whole id first, then on the name alone ("p5.48xlarge" for "aws:p5.48xlarge").
  std::string hint = did_you_mean_suffix(id, ids);
  if (hint.empty()) {
    for (const auto& known : ids) {
      if (known.substr(known.find(':') + 1) == id) {
        hint = " (did you mean '" + known + "'?)";
        break;
      }
    }
  }
  throw InputError(file, path, "an instance id of the catalogs (`cirrus catalog list`)",
                   "\"" + id + "\"" + hint);
}

std::vector<const Instance*> list_instances(const std::vector<Catalog>& catalogs,
                                            const std::string& provider) {
  std::vector<const Instance*> out;
  for (const Catalog& c : catalogs) {
    for (const Instance& in : c.instances) {
      if (provider.empty() || in.provider == provider) out.push_back(&in);
    }
  }
  return out;
}

}  // namespace cirrus::pricing
