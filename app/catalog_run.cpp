#include "app/catalog_run.hpp"

#include <fmt/format.h>

#include "app/paths.hpp"
#include "common/input_error.hpp"

namespace cirrus::app {
namespace {

std::vector<pricing::Catalog> read_catalogs(const std::vector<std::string>& extra_files) {
  return pricing::load_catalogs(source_path("pricing/catalogs"), extra_files);
}

}  // namespace

std::unique_ptr<const CatalogListing> list_catalogs(const std::vector<std::string>& extra_files,
                                                    const std::string& provider) {
  auto out = std::make_unique<CatalogListing>();
  out->catalogs = read_catalogs(extra_files);
  out->instances = pricing::list_instances(out->catalogs, provider);
  if (out->instances.empty() && !provider.empty()) {
    std::vector<std::string> providers;
    for (const auto& c : out->catalogs) providers.push_back(c.provider);
    throw UsageError(fmt::format("--provider: no catalog of provider '{}' (known: {})", provider,
                                 fmt::join(providers, ", ")));
  }
  return out;
}

pricing::Instance find_catalog_instance(const std::vector<std::string>& extra_files,
                                        const std::string& id) {
  return pricing::lookup_instance(read_catalogs(extra_files), id, "catalog show", "");
}

std::vector<std::string> import_formats() { return pricing::import_format_names(); }

ImportedCatalog import_catalog(const ImportRequest& request) {
  const auto format = pricing::parse_import_format(request.format);
  if (!format) throw UsageError("--format: unknown price-file format " + request.format);
  ImportedCatalog out;
  out.catalog =
      pricing::import_catalog(*format, pricing::read_input_files(request.files), request.options);
  out.file = pricing::write_catalog(out.catalog);
  return out;
}

}  // namespace cirrus::app
