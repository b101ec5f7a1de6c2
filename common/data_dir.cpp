// Where shipped data lives: see data_dir.hpp for the order. The marker of a data root is
// pricing/catalogs because every command that prices needs it and both layouts have it.
#include "common/data_dir.hpp"

#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "common/input_error.hpp"

namespace cirrus {
namespace {

namespace fs = std::filesystem;

constexpr const char* kMarker = "pricing/catalogs";
constexpr const char* kDataPrefix = "data/";

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

bool holds_marker(const fs::path& dir) {
  std::error_code ec;
  return fs::is_directory(dir / kMarker, ec);
}

fs::path installed_root(const fs::path& executable) {
  return (executable.parent_path() / ".." / "share" / "cirrus").lexically_normal();
}

std::string join(const std::string& root, const std::string& relative) {
  return (fs::path(root) / relative).lexically_normal().string();
}

// One line: what was looked for, and every place it was looked for.
std::string not_found(const std::string& relative, const DataDirInputs& in) {
  const bool data = relative.starts_with(kDataPrefix);
  std::string where = data ? "$CIRRUS_DATA_DIR is unset" : "$CIRRUS_SOURCE_ROOT is unset";
  if (in.executable.empty()) {
    where += ", and the executable's path could not be read (/proc/self/exe)";
  } else {
    const fs::path exe(in.executable);
    where += ", " + installed_root(exe).string() + " has no " + kMarker +
             " (an installed cirrus), nor has any folder above " + exe.parent_path().string() +
             " (a build in its source tree)";
  }
  return "cannot find cirrus's shipped data for '" + relative + "': " + where;
}

}  // namespace

std::string executable_path() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : exe.string();
}

DataDirInputs current_data_dir_inputs() {
  static const std::string kExecutable = executable_path();
  return {env("CIRRUS_DATA_DIR"), env("CIRRUS_SOURCE_ROOT"), kExecutable};
}

std::optional<std::string> find_shipped_root(const std::string& executable) {
  if (executable.empty()) return std::nullopt;
  const fs::path exe(executable);
  if (const fs::path installed = installed_root(exe); holds_marker(installed)) {
    return installed.string();
  }
  for (fs::path dir = exe.parent_path(); !dir.empty(); dir = dir.parent_path()) {
    if (holds_marker(dir)) return dir.string();
    if (dir == dir.root_path()) break;
  }
  return std::nullopt;
}

std::string shipped_path(const std::string& relative, const DataDirInputs& inputs) {
  if (relative.starts_with(kDataPrefix)) {
    if (!inputs.data_dir_env.empty()) {
      return inputs.data_dir_env + "/" + relative.substr(std::string(kDataPrefix).size());
    }
  } else if (!inputs.source_root_env.empty()) {
    return inputs.source_root_env + "/" + relative;
  }
  if (const auto root = find_shipped_root(inputs.executable)) return join(*root, relative);
  throw IoError(not_found(relative, inputs));
}

std::string shipped_path(const std::string& relative) {
  const DataDirInputs inputs = current_data_dir_inputs();
  if (relative.starts_with(kDataPrefix) ? !inputs.data_dir_env.empty()
                                        : !inputs.source_root_env.empty()) {
    return shipped_path(relative, inputs);
  }
  // The executable does not move while it runs: search the folders once.
  static const std::optional<std::string> kRoot = find_shipped_root(inputs.executable);
  if (kRoot) return join(*kRoot, relative);
  throw IoError(not_found(relative, inputs));
}

}  // namespace cirrus
