#pragma once
// Where shipped data lives (catalogs, profiles, validation sets, scenarios): the one place that
// decides it, so that an installed or moved cirrus finds its files without any path compiled in.
//
// A shipped path is named as it is in the source tree ("pricing/catalogs",
// "data/validation/residuals.json"). It resolves, first match wins:
//   1. "data/..." paths: $CIRRUS_DATA_DIR/<path without "data/">, when the variable is set;
//      other paths: $CIRRUS_SOURCE_ROOT/<path>, when that one is set (docs/CONTRACT.md);
//   2. <executable's folder>/../share/cirrus/<path>, when that folder holds pricing/catalogs
//      (the layout `cmake --install` writes: PREFIX/bin/cirrus, PREFIX/share/cirrus/...);
//   3. the nearest folder above the executable that holds pricing/catalogs (a build tree lives
//      inside its source tree: build/release/cli/cirrus);
// and otherwise throws IoError (exit status 5) naming what was looked for and where.
// The executable is /proc/self/exe, so a symbolic link to it (/usr/local/bin/cirrus) works.
#include <optional>
#include <string>

namespace cirrus {

// What the lookup reads from its surroundings; tests give their own.
struct DataDirInputs {
  std::string data_dir_env;     // $CIRRUS_DATA_DIR; empty when unset
  std::string source_root_env;  // $CIRRUS_SOURCE_ROOT; empty when unset
  std::string executable;       // absolute path of the running executable; empty when unknown
};

// The running process's environment and executable.
DataDirInputs current_data_dir_inputs();

// The absolute path of the running executable (/proc/self/exe); empty when it cannot be read.
std::string executable_path();

// Steps 2 and 3 above: the folder that mirrors the source tree's shipped paths, or nullopt.
std::optional<std::string> find_shipped_root(const std::string& executable);

// The resolution above for given inputs.
std::string shipped_path(const std::string& relative, const DataDirInputs& inputs);

// The resolution above for this process (the root found once, the variables read each call).
std::string shipped_path(const std::string& relative);

}  // namespace cirrus
