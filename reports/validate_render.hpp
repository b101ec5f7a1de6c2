#pragma once
// `validate`'s outputs (app/validate_run.hpp): one dataset by its kind
// (reports/validation_report.hpp, reports/collective_validation.hpp,
// reports/measured_validation.hpp), or every shipped one: the per-dataset tables, then the
// summaries across the step-time datasets by (GPU family, precision, framework), by (GPU
// family, precision) and over all rows, then the skipped files; `--format json`:
// {"datasets", "collective_datasets", "summary", "summary_by_family_precision", "overall",
// "skipped"} (CONTRACT.md).
#include <string>

#include "app/validate_run.hpp"

namespace cirrus::reports {

// `format`: "table" or "json".
std::string render_dataset_run(const app::DatasetRun& run, const std::string& format);
std::string render_validation_suite(const app::ValidationSuite& suite, const std::string& format);

}  // namespace cirrus::reports
