#pragma once
// Catalogs of cloud instances and their prices (CONTRACT.md, "Catalog file"). Shipped catalogs
// (pricing/catalogs/*.json) and the output of `cirrus catalog import` share one format.
//
// Every price carries where it was read and when: the instance's `source` and `retrieved`, or a
// per-price override in `price_sources`. A price that is not offered (or was not found) is
// absent, written as null, and never 0: a zero would price a run at nothing.
#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include "common/enum_names.hpp"

namespace cirrus::pricing {

// The ways of paying for an instance-hour, in the order every table prints them. Capacity
// blocks (AWS EC2 Capacity Blocks for ML) and flex-start (Google Cloud DWS flex-start) are
// sold for some instance types only and under terms of their own (pricing/capacity_products.hpp).
enum class PricingModel {
  kOnDemand,
  kSpot,
  kCommitted1y,
  kCommitted3y,
  kCapacityBlock,
  kFlexStart
};
inline constexpr std::size_t kPricingModelCount = 6;
// The dearest hourly price a catalog may hold, per instance: a 72-GPU rack rents for a few
// hundred dollars an hour, so anything near this is a unit or parsing mistake (and a product
// of it with a year of hours must stay far from overflow).
inline constexpr double kMaxHourlyPrice = 100000;

inline constexpr std::array<PricingModel, kPricingModelCount> kPricingModels = {
    PricingModel::kOnDemand,    PricingModel::kSpot,          PricingModel::kCommitted1y,
    PricingModel::kCommitted3y, PricingModel::kCapacityBlock, PricingModel::kFlexStart};

// "on-demand", "spot", "committed-1y", "committed-3y", "capacity-block", "flex-start": the
// scenario's `pricing.model` values.
const char* to_string(PricingModel m);
inline constexpr EnumNames<PricingModel, kPricingModelCount> kPricingModelNames = {
    {{PricingModel::kOnDemand, "on-demand"},
     {PricingModel::kSpot, "spot"},
     {PricingModel::kCommitted1y, "committed-1y"},
     {PricingModel::kCommitted3y, "committed-3y"},
     {PricingModel::kCapacityBlock, "capacity-block"},
     {PricingModel::kFlexStart, "flex-start"}}};
// "on_demand", "spot", "committed_1y", "committed_3y", "capacity_block", "flex_start": the keys
// of a catalog's `prices` (the last two optional: a catalog without them reads as null).
const char* price_key(PricingModel m);
// Accepts either spelling; nullopt for anything else.
std::optional<PricingModel> parse_pricing_model(std::string_view name);
std::size_t index_of(PricingModel m);

// USD per instance-hour; nullopt = not offered. Never holds 0 or a negative number.
struct Prices {
  std::optional<double> on_demand;
  std::optional<double> spot;
  std::optional<double> committed_1y;
  std::optional<double> committed_3y;
  // The effective hourly rate of a block paid up front, and of flex-start: no public price
  // list holds them (REFERENCE.md has none), so they are null unless a catalog or the
  // scenario (pricing.usd_per_hour) gives them.
  std::optional<double> capacity_block;
  std::optional<double> flex_start;

  std::optional<double> get(PricingModel m) const;
  void set(PricingModel m, std::optional<double> usd_per_hour);
};

struct PriceSource {
  std::string source;     // where the figure was read, in words a person can follow up
  std::string retrieved;  // YYYY-MM-DD (or YYYY-MM) that source gives for the figure
  bool verified = true;   // false for a recalled ("mem") figure not found in a dated source
};

struct Instance {
  std::string id;        // "provider:name", unique across the catalogs in use
  std::string provider;  // the part of the id before ':'
  std::string name;      // the provider's own name ("p5.48xlarge", "Standard_ND96isr_H100_v5")
  std::string region;    // the region the prices are for ("any" where all regions cost the same)
  std::string
      gpu;  // cirrus GPU id (models/hardware/hardware.hpp); empty when cirrus cannot model it
  std::string gpu_model;       // free text for the accelerator when `gpu` is empty ("AWS Trainium")
  std::optional<double> gpus;  // per instance; fractional for shared GPUs; nullopt = unknown
  std::optional<double> vcpus;
  std::optional<double> memory_gib;
  std::string node;  // cirrus node preset id (dgx-h100, ...), empty when none fits
  std::optional<double> network_gbps;  // inter-node, the whole instance
  std::optional<int> nics;             // for the network model, when known
  std::optional<double> nic_gbps;      // per NIC
  Prices prices;
  PriceSource source;  // of every price without an override below
  std::map<PricingModel, PriceSource> price_sources;
  // False when any figure of the entry is recalled rather than read from a dated source.
  bool verified = true;
  std::string note;  // what a reader should know: derivations, ranges, caveats

  // The source and date of one price (its override, else the instance's).
  PriceSource source_of(PricingModel m) const;
};

struct Catalog {
  std::string provider;  // aws, gcp, azure, lambda, or whatever an imported file names
  std::vector<Instance> instances;
  std::string file;  // where it was read from; empty for one built in memory
};

// Strict reading: unknown keys (with a did-you-mean), wrong types, a zero or negative price, a
// missing source or date, an id of another provider or a duplicate id throw InputError naming
// the file and the JSON path. `file` is used in messages only.
Catalog parse_catalog(const std::string& text, const std::string& file);
// Reads a catalog file; IoError when it cannot be read.
Catalog read_catalog(const std::string& path);
// Every *.json file of a directory, in file-name order. IoError when the directory is missing.
std::vector<Catalog> read_catalog_dir(const std::string& dir);
// The user's catalog files first (so an imported, fresher entry wins a lookup), then the
// shipped ones of `shipped_dir`.
std::vector<Catalog> load_catalogs(const std::string& shipped_dir,
                                   const std::vector<std::string>& extra_files);

// Deterministic JSON, 2-space indent, keys in a fixed order, a final newline: the same catalog
// always gives the same bytes, so shipped catalogs diff cleanly. Throws std::invalid_argument
// for a catalog the reader would refuse (a zero price, an empty source), which is a bug in
// the code that built it.
std::string write_catalog(const Catalog& catalog);

// Instances as a JSON array in the catalog's instance format (for `catalog list/show --format
// json`), 2-space indent, final newline.
std::string write_instances(const std::vector<const Instance*>& instances);

// Checks what the reader checks, for catalogs built in memory (importers).
void check_catalog(const Catalog& catalog);

// The instance with this id across the catalogs (the first catalog that has it wins), or null.
const Instance* find_instance(const std::vector<Catalog>& catalogs, std::string_view id);
// Every id, in catalog order, for did-you-mean suggestions.
std::vector<std::string> instance_ids(const std::vector<Catalog>& catalogs);
// find_instance, or an InputError at (file, path) that names the id and the closest known one.
const Instance& lookup_instance(const std::vector<Catalog>& catalogs, const std::string& id,
                                const std::string& file, const std::string& path);
// The instances of one provider (all when `provider` is empty), in catalog order.
std::vector<const Instance*> list_instances(const std::vector<Catalog>& catalogs,
                                            const std::string& provider);

// True for "YYYY-MM-DD" and "YYYY-MM" with plausible month and day numbers.
bool is_catalog_date(std::string_view date);

// Rounds a computed price to 1e-10 USD, the precision of AWS's price list: sums and quotients
// of decimal prices then print as the decimals they are (21.957642, not 21.957642000000003).
double round_price(double usd);

}  // namespace cirrus::pricing
