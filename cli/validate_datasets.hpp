#pragma once
// `cirrus validate` on step-time datasets and collective datasets, one file or every shipped
// one (`--all`), and the residuals file (`--write-residuals`). The result model and renderers
// are reports/validation_report.hpp and reports/collective_validation.hpp.
#include <string>

#include "common/input_error.hpp"

#include "reports/validation_report.hpp"

namespace cirrus::cli {

// One dataset file: a collective dataset (reports/collective_validation.hpp) or a step-time
// dataset. Exit status: 0, or 4 when some row was refused or is unsupported.
ExitCode validate_dataset(const std::string& path, const std::string& format, const std::string& out,
                     const reports::ValidationRunOptions& options = {});

// Every dataset under `dir` (*.json, in file-name order; files that are no validate dataset are
// listed as skipped, with why): the per-dataset tables, then one summary across the step-time
// datasets by GPU family, precision and framework. `residuals` non-empty: also writes the
// residuals file there (atomically). Exit status as validate_dataset, over all of them.
ExitCode validate_all(const std::string& dir, const std::string& format, const std::string& out,
                 const std::string& residuals, const reports::ValidationRunOptions& options = {});

}  // namespace cirrus::cli
