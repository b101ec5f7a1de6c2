#include "app/paths.hpp"

#include <cstdlib>

namespace cirrus::app {

std::string data_path(const std::string& relative) {
  if (const char* dir = std::getenv("CIRRUS_DATA_DIR"); dir != nullptr && *dir != '\0') {
    return std::string(dir) + "/" + relative;
  }
  return std::string(CIRRUS_SOURCE_DIR) + "/data/" + relative;
}

std::string source_path(const std::string& relative) {
  if (const char* dir = std::getenv("CIRRUS_SOURCE_ROOT"); dir != nullptr && *dir != '\0') {
    return std::string(dir) + "/" + relative;
  }
  return std::string(CIRRUS_SOURCE_DIR) + "/" + relative;
}

}  // namespace cirrus::app
