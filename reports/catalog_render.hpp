#pragma once
// `catalog`'s outputs (app/catalog_run.hpp): the instance list as a table (USD per
// instance-hour, "-" where a price is not offered or not known, "*" on a recalled figure), one
// instance with every price's source and date, JSON in the catalog format's instance objects
// (pricing/catalog.hpp), and the one-line summary of an import.
#include <string>

#include "app/catalog_run.hpp"

namespace cirrus::reports {

// `format`: "table" or "json".
std::string render_catalog_list(const app::CatalogListing& listing, const std::string& format);
std::string render_catalog_instance(const pricing::Instance& instance, const std::string& format);

// "OUT: N aws instances (M with an on-demand price), region R, retrieved D".
std::string render_import_summary(const pricing::Catalog& catalog, const std::string& out);

}  // namespace cirrus::reports
