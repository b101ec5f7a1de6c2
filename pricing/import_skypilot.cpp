// SkyPilot's catalog vms.csv (skypilot-org/skypilot-catalog, schema v6 to v8; REFERENCE.md §2):
// InstanceType, vCPUs, MemoryGiB, AcceleratorName, AcceleratorCount (may be fractional),
// GpuInfo (a Python literal, quoted), Region, AvailabilityZone (empty for Azure and Lambda),
// Price (empty for Capacity-Block-only types), SpotPrice, Arch (v8). The column order differs
// per cloud and version, so every column is found by its header name.
//
// AWS rows repeat per availability zone with one on-demand price and a spot price per zone; a
// zone whose spot price equals the on-demand price has no spot market. The single spot figure
// is the midpoint of the other zones' range, the rule of the shipped catalogs
// (pricing/catalogs/README.md). GCP lists a machine's VM part and its GPUs in separate rows
// (the GPU rows have no InstanceType); the two are added.
#include <fmt/format.h>
#include <algorithm>
#include <map>
#include <set>

#include "common/csv.hpp"
#include "common/input_error.hpp"
#include "pricing/importers.hpp"
#include "pricing/instance_table.hpp"

namespace cirrus::pricing {
namespace {

struct Row {
  std::string instance_type;
  std::string accelerator;
  std::optional<double> accelerator_count;
  std::optional<double> vcpus;
  std::optional<double> memory_gib;
  std::optional<double> price;
  std::optional<double> spot;
  std::string zone;
};

// A price cell: empty, "nan" or 0 is no price; anything else must be a number.
std::optional<double> price_cell(std::string_view text, const std::string& file, std::size_t line,
                                 const char* column) {
  const std::string_view t = trim(text);
  if (t.empty() || t == "nan" || t == "NaN" || t == "None") return std::nullopt;
  const auto v = detail::parse_decimal(t);
  if (!v || *v < 0) {
    throw InputError(file, fmt::format("line {}: {}", line, column),
                     "a price in USD per hour, or an empty cell", detail::quoted(t));
  }
  if (*v == 0) return std::nullopt;
  return round_price(*v);
}

std::optional<double> number_cell(std::string_view text, const std::string& file, std::size_t line,
                                  const char* column) {
  const std::string_view t = trim(text);
  if (t.empty() || t == "nan" || t == "NaN" || t == "None") return std::nullopt;
  const auto v = detail::parse_decimal(t);
  if (!v || *v < 0) {
    throw InputError(file, fmt::format("line {}: {}", line, column), "a number >= 0",
                     detail::quoted(t));
  }
  return *v;
}

std::string infer_provider(const std::string& instance_type) {
  if (instance_type.starts_with("Standard_") || instance_type.starts_with("Basic_")) {
    return "azure";
  }
  if (instance_type.starts_with("gpu_")) return "lambda";
  if (instance_type.find('.') != std::string::npos) return "aws";
  return "gcp";
}

// The cloud of a file laid out as in the SkyPilot catalog repository,
// catalogs/v<N>/<cloud>/vms.csv, or "" when the path does not say.
std::string provider_of_path(const std::string& path) {
  for (const char* cloud : {"aws", "gcp", "azure", "lambda"}) {
    const std::string dir = std::string("/") + cloud + "/";
    const auto at = path.rfind(dir);
    if (at == std::string::npos) continue;
    // The cloud's directory must hold the file itself.
    if (path.find('/', at + dir.size()) == std::string::npos) return cloud;
  }
  return "";
}

std::string count_key(const std::string& accelerator, std::optional<double> count) {
  return fmt::format("{}|{}", accelerator, count.value_or(0));
}

struct Group {
  std::vector<Row> rows;
};

}  // namespace

Catalog import_skypilot(const std::vector<InputFile>& files, const ImportOptions& options) {
  if (files.empty()) throw InputError("", "", "at least one SkyPilot vms.csv", "none");
  std::vector<Row> rows;  // every row, with its region
  std::vector<std::string> row_regions;
  std::string provider = options.provider;
  if (!provider.empty() && !std::all_of(provider.begin(), provider.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      })) {
    throw InputError("", "--provider", "a provider name in lower case (aws, gcp, azure, lambda)",
                     "\"" + provider + "\"");
  }
  for (const InputFile& f : files) {
    CsvReader reader(f.text, f.path);
    std::vector<std::string> fields;
    if (!reader.next(fields)) {
      throw InputError(f.path, "", "a SkyPilot catalog CSV with a header line", "an empty file");
    }
    const CsvHeader h(fields);
    if (provider.empty()) provider = provider_of_path(f.path);
    for (const char* required : {"InstanceType", "Region", "Price"}) {
      if (!h.has(required)) {
        throw InputError(f.path, "line 1",
                         "a SkyPilot catalog CSV header (InstanceType, AcceleratorName, "
                         "AcceleratorCount, vCPUs, MemoryGiB, Price, SpotPrice, Region, ...)",
                         fmt::format("a header without \"{}\"", required));
      }
    }
    while (reader.next(fields)) {
      if (fields.size() == 1 && trim(fields[0]).empty()) continue;  // blank line
      const std::size_t line = reader.line();
      detail::require_field_count(fields.size(), h.size(), f.path, line);
      Row r;
      r.instance_type = std::string(h.get(fields, "InstanceType"));
      r.accelerator = std::string(h.get(fields, "AcceleratorName"));
      r.accelerator_count =
          number_cell(h.get(fields, "AcceleratorCount"), f.path, line, "AcceleratorCount");
      r.vcpus = number_cell(h.get(fields, "vCPUs"), f.path, line, "vCPUs");
      r.memory_gib = number_cell(h.get(fields, "MemoryGiB"), f.path, line, "MemoryGiB");
      r.price = price_cell(h.get(fields, "Price"), f.path, line, "Price");
      r.spot = price_cell(h.get(fields, "SpotPrice"), f.path, line, "SpotPrice");
      r.zone = std::string(h.get(fields, "AvailabilityZone"));
      detail::require_clean_text(r.instance_type, f.path,
                                 fmt::format("line {}: InstanceType", line));
      detail::require_clean_text(r.accelerator, f.path,
                                 fmt::format("line {}: AcceleratorName", line));
      detail::require_clean_text(h.get(fields, "Region"), f.path,
                                 fmt::format("line {}: Region", line));
      if (trim(h.get(fields, "Region")).empty()) {
        // A row without a region could be priced for none (and Lambda's any-region rule would
        // otherwise pick the empty name).
        throw InputError(f.path, fmt::format("line {}: Region", line), "a region name",
                         "an empty cell");
      }
      if (provider.empty() && !r.instance_type.empty()) provider = infer_provider(r.instance_type);
      row_regions.emplace_back(h.get(fields, "Region"));
      rows.push_back(std::move(r));
    }
  }
  const std::string names = detail::file_names(files);
  if (rows.empty()) throw InputError(names, "", "catalog rows after the header", "none");
  if (provider.empty()) provider = "gcp";  // only GPU rows without an InstanceType

  std::set<std::string> regions(row_regions.begin(), row_regions.end());
  std::string region = options.region.empty() ? default_region(provider) : options.region;
  std::string region_note;
  if (options.region.empty() && provider == "lambda" && regions.count(region) == 0) {
    // Lambda prices every region alike (REFERENCE §1d): any region will do.
    region = *regions.begin();
    region_note = "Lambda prices every region alike; read from region " + region;
  }
  if (regions.count(region) == 0) {
    throw InputError(names, "", fmt::format("rows for region {}", region),
                     fmt::format("none (regions in the file: {})",
                                 detail::preview_list({regions.begin(), regions.end()})));
  }

  // Group the region's rows: machines by instance type (sorted), GCP GPU rows by (name, count).
  std::map<std::string, Group> machines;
  std::map<std::string, Group> gpu_rows;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (row_regions[i] != region) continue;
    Row& r = rows[i];
    if (r.instance_type.empty()) {
      if (!r.accelerator.empty()) {
        gpu_rows[count_key(r.accelerator, r.accelerator_count)].rows.push_back(r);
      }
      continue;
    }
    machines[r.instance_type].rows.push_back(r);
  }

  // SkyPilot's files carry no date, and the file's modification time would date the same
  // prices differently on every copy: the user says when they were fetched.
  const std::string retrieved = options.retrieved;
  if (retrieved.empty()) {
    throw InputError(names, "",
                     "the day the prices were fetched (--retrieved YYYY-MM-DD; SkyPilot "
                     "catalogs carry no date)",
                     "none");
  }
  std::string files_label;
  for (const auto& f : files) {
    files_label += (files_label.empty() ? "" : ", ") + detail::base_name(f.path);
  }
  const std::string source = fmt::format("SkyPilot catalog ({}), region {}", files_label, region);

  Catalog catalog;
  catalog.provider = provider;
  for (auto& [type, group] : machines) {
    Instance in;
    in.provider = provider;
    in.name = type;
    in.id = provider;
    in.id += ":" + type;
    in.region = region;
    in.source = PriceSource{source, retrieved, true};
    std::vector<std::string> notes;
    if (!region_note.empty()) notes.push_back(region_note);

    const Row& first = group.rows.front();
    std::optional<double> od;
    std::set<double> od_values;
    std::vector<double> zone_spots;
    std::size_t zones_without_spot = 0;
    for (const Row& r : group.rows) {
      if (r.price) {
        od_values.insert(*r.price);
        if (!od) od = r.price;
      }
    }
    if (od_values.size() > 1)
      notes.push_back("rows disagree on the on-demand price; the first kept");
    for (const Row& r : group.rows) {
      if (!r.spot) continue;
      if (od && *r.spot == *od) {
        ++zones_without_spot;  // the "spot == on-demand" sentinel: no spot market in that zone
      } else {
        zone_spots.push_back(*r.spot);
      }
    }
    const std::optional<double> vm_od = od;
    // GCP: add the machine's GPUs, listed in their own rows (one per zone).
    if (provider == "gcp" && !first.accelerator.empty()) {
      const auto it = gpu_rows.find(count_key(first.accelerator, first.accelerator_count));
      if (it != gpu_rows.end()) {
        const std::vector<Row>& gpus = it->second.rows;
        // On-demand: zones should agree; where they do not, one zone's row came from a
        // discounted SKU (REFERENCE §2, 4.20076 vs 9.79655 for H100), so the highest, the
        // list price, is kept.
        std::optional<double> gpu_od;
        std::set<double> gpu_od_values;
        for (const Row& g : gpus) {
          if (!g.price) continue;
          gpu_od_values.insert(*g.price);
          if (!gpu_od || *g.price > *gpu_od) gpu_od = g.price;
        }
        if (od && gpu_od) {
          od = round_price(*od + *gpu_od);
          notes.push_back(fmt::format("on-demand = VM row + GPU row {} x {} ({})",
                                      first.accelerator, first.accelerator_count.value_or(0),
                                      *gpu_od));
          if (gpu_od_values.size() > 1) {
            notes.push_back(fmt::format(
                "the zones' GPU rows disagree ({} - {}): the highest (list) price is kept",
                *gpu_od_values.begin(), *gpu_od_values.rbegin()));
          }
        } else {
          od.reset();
        }
        // Spot: a zone's VM row plus the GPU row of the same zone (the first GPU row with a
        // spot price where the zone has none).
        const Row* any_gpu_spot = nullptr;
        for (const Row& g : gpus) {
          if (g.spot) {
            any_gpu_spot = &g;
            break;
          }
        }
        std::vector<double> with_gpu;
        for (const Row& r : group.rows) {
          if (!r.spot || (vm_od && *r.spot == *vm_od)) continue;  // no spot market there
          const Row* g = any_gpu_spot;
          for (const Row& candidate : gpus) {
            if (candidate.spot && candidate.zone == r.zone) g = &candidate;
          }
          if (g != nullptr) with_gpu.push_back(round_price(*r.spot + *g->spot));
        }
        zone_spots = with_gpu;
        notes.push_back(
            "SkyPilot's GCP GPU rows may come from discounted SKUs in some regions "
            "(REFERENCE §2): check against the list price");
      } else {
        // The VM row prices only vCPUs and memory: without the GPU rows the machine's price
        // is unknown, not the VM part alone.
        od.reset();
        zone_spots.clear();
        notes.push_back(fmt::format(
            "no GPU row for {} x {} in the region: the VM row ({}) is only the vCPU and "
            "memory part, so the machine's price is unknown",
            first.accelerator, first.accelerator_count.value_or(0),
            vm_od ? fmt::format("{}", *vm_od) : std::string("no price")));
      }
    }
    in.prices.on_demand = od;
    if (!od && !vm_od) notes.push_back("no on-demand price (empty Price: Capacity Blocks only?)");
    if (!zone_spots.empty()) {
      const auto [lo, hi] = std::minmax_element(zone_spots.begin(), zone_spots.end());
      const double mid = round_price((*lo + *hi) / 2);
      if (!(od && mid == *od)) {
        in.prices.spot = mid;
        if (zone_spots.size() > 1 && *lo != *hi) {
          notes.push_back(fmt::format("spot = midpoint of {} zones' range {} - {}",
                                      zone_spots.size(), *lo, *hi));
        }
      }
    }
    if (zones_without_spot > 0 && first.zone.empty()) {
      notes.push_back("SpotPrice equals Price: no spot offer (spot: null)");
    } else if (zones_without_spot > 0) {
      notes.push_back(fmt::format("{} zone{} with spot = on-demand (no spot market there)",
                                  zones_without_spot, zones_without_spot == 1 ? "" : "s"));
    }
    in.vcpus = first.vcpus && *first.vcpus > 0 ? first.vcpus : std::nullopt;
    in.memory_gib = first.memory_gib && *first.memory_gib > 0 ? first.memory_gib : std::nullopt;
    if (!apply_known_hardware(in)) {
      in.gpus = first.accelerator.empty() ? 0.0 : first.accelerator_count.value_or(0);
      if (!first.accelerator.empty()) {
        in.gpu_model = first.accelerator;
        if (const auto id = gpu_id_for_accelerator(first.accelerator)) {
          in.gpu = *id;
          notes.push_back("GPU id inferred from AcceleratorName " + first.accelerator);
        }
      }
    } else if (first.accelerator_count && in.gpus && *first.accelerator_count != *in.gpus) {
      notes.push_back(fmt::format("the file says {} accelerators; cirrus's table says {}",
                                  *first.accelerator_count, *in.gpus));
    }
    in.note = fmt::format("{}", fmt::join(notes, "; "));
    catalog.instances.push_back(std::move(in));
  }
  if (catalog.instances.empty()) {
    throw InputError(names, "", fmt::format("instance rows for region {}", region),
                     "only accelerator rows without an InstanceType");
  }
  detail::require_plausible_prices(catalog, names);
  check_catalog(catalog);
  return catalog;
}

}  // namespace cirrus::pricing
