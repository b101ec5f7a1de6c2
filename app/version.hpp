#pragma once
// What `cirrus --version` reports: the build (version, commit) and the shipped catalogs' dates,
// read from the catalogs when asked, so that a catalog updated without a rebuild shows its own.
#include <cstddef>
#include <string>
#include <vector>

namespace cirrus::app {

struct CatalogDates {
  std::string provider;
  std::string oldest;  // the oldest and newest retrieval date of its prices and entries
  std::string newest;
  std::size_t instances = 0;
};

struct VersionInfo {
  std::string version;
  std::string commit;
  std::string catalogs_dir;    // where the shipped catalogs were read
  std::string catalogs_error;  // why they could not be read; empty when they were
  std::vector<CatalogDates> catalogs;
};

VersionInfo version_info();

}  // namespace cirrus::app
