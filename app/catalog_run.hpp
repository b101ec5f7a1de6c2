#pragma once
// `catalog`'s jobs: the price catalogs read (the user's files first, then the shipped ones, as
// a job reads them: app/job.hpp), listed by provider or looked up by instance id; and a
// provider's own price files converted into a catalog (pricing/importers.hpp).
#include <memory>
#include <string>
#include <vector>

#include "pricing/catalog.hpp"
#include "pricing/importers.hpp"

namespace cirrus::app {

// The instances point into the catalogs: kept together, owned through a pointer.
struct CatalogListing {
  std::vector<pricing::Catalog> catalogs;
  std::vector<const pricing::Instance*> instances;  // in catalog order
};

// Every instance of `provider`'s catalogs (empty: of all). Throws UsageError (--provider) when
// no catalog is of that provider, naming those there are.
std::unique_ptr<const CatalogListing> list_catalogs(const std::vector<std::string>& extra_files,
                                                    const std::string& provider);

// The instance `id` ("provider:name"); InputError with a did-you-mean when no catalog has it.
pricing::Instance find_catalog_instance(const std::vector<std::string>& extra_files,
                                        const std::string& id);

// The price-file formats `catalog import --format` takes.
std::vector<std::string> import_formats();

struct ImportRequest {
  std::string format;              // one of import_formats()
  std::vector<std::string> files;  // pages of one price list, merged
  pricing::ImportOptions options;
};

struct ImportedCatalog {
  pricing::Catalog catalog;
  std::string file;  // the catalog in cirrus's catalog format, to be written
};

// Reads and checks everything before returning, so that an error leaves no file behind.
ImportedCatalog import_catalog(const ImportRequest& request);

}  // namespace cirrus::app
