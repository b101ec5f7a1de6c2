#pragma once
// The shipped residual statistics behind every result's error bars: data/validation/
// residuals.json (written by `cirrus validate --all --write-residuals`), found like the other
// shipped data through data_path ($CIRRUS_DATA_DIR, else the installed or source tree's data/).
#include <memory>

#include "models/step/uncertainty.hpp"

namespace cirrus::app {

// Read once per process (scenarios/residuals.hpp); null when the file is not there, and then
// results say their error is unknown. A malformed file is its InputError.
std::shared_ptr<const models::ResidualStats> shipped_residuals();

}  // namespace cirrus::app
