#include "reports/version_render.hpp"

#include <fmt/format.h>

namespace cirrus::reports {

std::string render_version(const app::VersionInfo& v) {
  std::string text = fmt::format("cirrus {}\ncommit {}\n", v.version, v.commit);
  if (!v.catalogs_error.empty()) return text + fmt::format("catalogs none: {}", v.catalogs_error);
  text += fmt::format("catalogs {}", v.catalogs_dir);
  for (const auto& c : v.catalogs) {
    const std::string range = c.oldest == c.newest ? c.newest : c.oldest + " to " + c.newest;
    text += fmt::format("\n  {:<8} {} ({} instances)", c.provider, range, c.instances);
  }
  return text;
}

}  // namespace cirrus::reports
