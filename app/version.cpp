#include "app/version.hpp"

#include <exception>

#include "app/paths.hpp"
#include "common/build_info.hpp"
#include "pricing/catalog.hpp"

namespace cirrus::app {

VersionInfo version_info() {
  VersionInfo v;
  v.version = build_version();
  v.commit = build_commit();
  std::vector<pricing::Catalog> catalogs;
  try {
    v.catalogs_dir = source_path("pricing/catalogs");
    catalogs = pricing::read_catalog_dir(v.catalogs_dir);
  } catch (const std::exception& e) {
    v.catalogs_error = e.what();
    return v;
  }
  for (const auto& c : catalogs) {
    CatalogDates d;
    d.provider = c.provider;
    d.instances = c.instances.size();
    for (const auto& in : c.instances) {
      std::vector<std::string> dates = {in.source.retrieved};
      for (const auto& [model, src] : in.price_sources) dates.push_back(src.retrieved);
      for (const auto& date : dates) {
        if (d.oldest.empty() || date < d.oldest) d.oldest = date;
        if (date > d.newest) d.newest = date;
      }
    }
    v.catalogs.push_back(std::move(d));
  }
  return v;
}

}  // namespace cirrus::app
