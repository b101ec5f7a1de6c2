#pragma once
// `validate`'s job: one dataset file, or every shipped one (`--all`), each run by its kind:
//   step-time datasets   app/step_validation.hpp (each row's GPU with its public profile unless
//                        turned off: a dataset names no profile of its own);
//   collective datasets  app/collective_validation.hpp;
//   serving throughputs  app/serving_validation.hpp;
//   measured steps       app/measured_validation.hpp (one file only; `--all` lists them as
//                        skipped: they compare a profile with none rather than check the model).
// reports/validate_render.hpp renders the results.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "app/collective_validation.hpp"
#include "app/measured_validation.hpp"
#include "app/profiles.hpp"
#include "app/serving_validation.hpp"
#include "app/step_validation.hpp"

namespace cirrus::app {

struct ValidateOptions {
  ProfileDefaults profiles;  // --no-public-profile
  std::string profile;       // --profile FILE, for a measured-step dataset
};

// One file's validation: exactly one of the four.
struct DatasetRun {
  std::optional<DatasetValidation> steps;
  std::optional<CollectiveValidation> collective;
  std::optional<ServingValidation> serving;
  std::optional<MeasuredValidation> measured;
  // Whether every row was predicted (a refused or unsupported row is an error of the model).
  bool complete() const;
};

// The shipped development set `validate` runs without a dataset: Megatron-LM SC'21 Table 1.
std::string default_dataset();

DatasetRun validate_file(const std::string& path, const ValidateOptions& options);

struct ValidationSuite {
  std::vector<DatasetValidation> steps;
  std::vector<CollectiveValidation> collectives;
  std::vector<ServingValidation> servings;
  std::vector<std::pair<std::string, std::string>> skipped;  // file name, why
  // Across the step-time datasets.
  std::vector<GroupSummary> by_family_precision_framework, by_family_precision, overall;
  bool complete() const;
};

// Every *.json under the shipped data/validation/ (app/paths.hpp), in file-name order; files
// that are no validate dataset are listed as skipped, with why.
ValidationSuite validate_all(const ValidateOptions& options);

}  // namespace cirrus::app
