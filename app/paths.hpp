#pragma once
// Where cirrus's shipped files are: the validation sets and residuals (data/), the catalogs
// (pricing/catalogs/), the calibration profiles (calibrate/profiles/) and the scenarios, each
// named by its path in the source tree.
#include <string>

namespace cirrus::app {

// A file of data/: $CIRRUS_DATA_DIR/<relative> when that is set, else the installed or source
// tree's data/ (common/data_dir.hpp).
std::string data_path(const std::string& relative);

// Any other shipped file by its source-tree path ("pricing/catalogs"):
// $CIRRUS_SOURCE_ROOT/<relative> when that is set, else the installed or source tree.
std::string source_path(const std::string& relative);

}  // namespace cirrus::app
