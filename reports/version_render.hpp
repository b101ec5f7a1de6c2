#pragma once
// `cirrus --version` (app/version.hpp): "cirrus 0.1.0", "commit ...", then the catalogs folder
// and one line per catalog with the range of its dates and its instance count.
#include <string>

#include "app/version.hpp"

namespace cirrus::reports {

std::string render_version(const app::VersionInfo& v);

}  // namespace cirrus::reports
