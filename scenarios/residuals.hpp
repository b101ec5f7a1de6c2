#pragma once
// The residuals file: per (GPU family, precision) statistics of cirrus's signed errors against
// published step times (data/validation/residuals.json, written by `cirrus validate --all
// --write-residuals FILE`), the data behind error bars (models/step/uncertainty.hpp).
//
//   {"cirrus_residuals": 1, "generated_by": "...",
//    "groups": [{"gpu_family": "h100", "precision": "bf16", "rows": 60, "median_error": -0.01,
//                "mape": 0.07, "sigma": 0.09, "datasets": ["..."]}, ...],
//    "serving_groups": [ the same, of serving runs' output tokens/s ] (optional, added)}
//
// Required per group: gpu_family (a family or "all"), precision (fp32, tf32, fp16, bf16, fp8,
// int8 or "all"), rows (>= 0), median_error, sigma (>= 0); mape (>= 0) and datasets are optional.
// One group per (gpu_family, precision). Other keys, at the top and in groups, are the generator's
// descriptions and extra statistics (about, statistics, mean_error, ...): they are read past, so
// the generator may add more without breaking readers. A malformed file is an InputError naming
// the file and the JSON path.
#include <memory>
#include <string>

#include "models/step/uncertainty.hpp"

namespace cirrus::scenarios {

models::ResidualStats parse_residuals(const std::string& text, const std::string& file);
models::ResidualStats read_residuals(const std::string& path);

// The residuals at `path`, read once per process and path and shared afterwards; null when no
// file is there (the missing file is remembered too). Safe to call from several threads at
// once: the first caller reads, the others wait for it. A malformed file throws its InputError
// to every caller (and is not remembered).
std::shared_ptr<const models::ResidualStats> shared_residuals(const std::string& path);

}  // namespace cirrus::scenarios
