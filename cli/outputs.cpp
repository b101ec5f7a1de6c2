// Output paths of one command: two options naming the same file would have the second write
// replace the first, and the command would report both as written.
#include <fmt/format.h>
#include <filesystem>

#include "cli/commands.hpp"
#include "common/atomic_write.hpp"

namespace cirrus::cli {

void check_distinct_outputs(const std::vector<std::pair<std::string, std::string>>& outputs) {
  namespace fs = std::filesystem;
  std::vector<std::pair<std::string, fs::path>> seen;
  for (const auto& [option, path] : outputs) {
    if (path.empty()) continue;
    std::error_code ec;
    fs::path resolved = fs::weakly_canonical(fs::absolute(write_target(path), ec), ec);
    if (ec) resolved = fs::absolute(path);
    for (const auto& [other, p] : seen) {
      if (p == resolved) {
        throw UsageError(fmt::format("{} and {} name the same file ({}); give each its own", other,
                                     option, path));
      }
    }
    seen.emplace_back(option, resolved);
  }
}

}  // namespace cirrus::cli
