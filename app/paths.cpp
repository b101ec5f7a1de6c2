#include "app/paths.hpp"

#include "common/data_dir.hpp"

namespace cirrus::app {

std::string data_path(const std::string& relative) { return shipped_path("data/" + relative); }

std::string source_path(const std::string& relative) { return shipped_path(relative); }

}  // namespace cirrus::app
