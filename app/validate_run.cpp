#include "app/validate_run.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "app/paths.hpp"
#include "app/public_profile.hpp"
#include "common/input_error.hpp"
#include "common/read_file.hpp"
#include "scenarios/collective_validation_set.hpp"
#include "scenarios/serving_validation_set.hpp"
#include "scenarios/validation_set.hpp"

namespace cirrus::app {
namespace {

namespace fs = std::filesystem;

enum class Kind { kSteps, kCollective, kServing, kMeasured, kResiduals, kOther };

// What a JSON file under data/validation/ is, from its top-level keys.
Kind classify(const std::string& path) {
  if (scenarios::is_collective_validation_set(path)) return Kind::kCollective;
  if (scenarios::is_serving_validation_set(path)) return Kind::kServing;
  if (is_measured_steps(path)) return Kind::kMeasured;
  try {
    const auto j = nlohmann::json::parse(read_file(path));
    if (!j.is_object()) return Kind::kOther;
    if (j.contains("cirrus_residuals")) return Kind::kResiduals;
    if (j.contains("rows")) return Kind::kSteps;
  } catch (const std::exception&) {
    return Kind::kSteps;  // the dataset reader reports what is wrong with it
  }
  return Kind::kOther;
}

// Each row's GPU gets its public profile (none when turned off); the row's result says which
// calibration it rests on.
ValidationRunOptions run_options(const ValidateOptions& options) {
  ValidationRunOptions out;
  if (options.profiles.public_profile) {
    out.calibrate = [](const scenarios::ValidationRow&, models::StepInput& input) {
      input.profile = public_profile(input.cluster.node);
      return std::string();
    };
  }
  return out;
}

std::vector<std::string> dataset_files(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path().string());
  }
  if (ec) {
    throw IoError(fmt::format("{}: cannot list the validation datasets: {}", dir, ec.message()));
  }
  std::sort(files.begin(), files.end(), [](const std::string& a, const std::string& b) {
    return fs::path(a).filename() < fs::path(b).filename();
  });
  return files;
}

}  // namespace

bool DatasetRun::complete() const {
  if (steps) return steps->not_predicted() == 0;
  if (measured) return measured->infeasible == 0;
  if (serving) return serving->refused() == 0;
  return true;
}

bool ValidationSuite::complete() const {
  return std::all_of(steps.begin(), steps.end(),
                     [](const DatasetValidation& d) { return d.not_predicted() == 0; }) &&
         std::all_of(servings.begin(), servings.end(),
                     [](const ServingValidation& d) { return d.refused() == 0; });
}

std::string default_dataset() { return data_path("validation/megatron_sc21_table1.json"); }

DatasetRun validate_file(const std::string& path, const ValidateOptions& options) {
  DatasetRun run;
  if (is_measured_steps(path)) {
    run.measured = run_measured_validation(path, options.profile, options.profiles.public_profile);
  } else if (scenarios::is_collective_validation_set(path)) {
    run.collective = run_collective_validation(scenarios::load_collective_validation_set(path));
  } else if (scenarios::is_serving_validation_set(path)) {
    run.serving =
        run_serving_validation(scenarios::load_serving_validation_set(path), options.profiles);
  } else {
    run.steps = run_validation(scenarios::load_validation_set(path), run_options(options));
  }
  return run;
}

ValidationSuite validate_all(const ValidateOptions& options) {
  ValidationSuite suite;
  for (const auto& f : dataset_files(data_path("validation"))) {
    const std::string name = fs::path(f).filename().string();
    switch (classify(f)) {
      case Kind::kSteps:
        suite.steps.push_back(
            run_validation(scenarios::load_validation_set(f), run_options(options)));
        break;
      case Kind::kCollective:
        suite.collectives.push_back(
            run_collective_validation(scenarios::load_collective_validation_set(f)));
        break;
      case Kind::kServing:
        suite.servings.push_back(
            run_serving_validation(scenarios::load_serving_validation_set(f), options.profiles));
        break;
      case Kind::kMeasured:
        suite.skipped.emplace_back(name, "measured single-GPU steps: `cirrus validate " + name +
                                             "` compares them with and without a calibration "
                                             "profile");
        break;
      case Kind::kResiduals:
        suite.skipped.emplace_back(name, "the residuals file (written by --write-residuals)");
        break;
      case Kind::kOther:
        suite.skipped.emplace_back(name, "not a validate dataset (no rows or curves)");
        break;
    }
  }
  suite.by_family_precision_framework = summarize(suite.steps, GroupBy::kFamilyPrecisionFramework);
  suite.by_family_precision = summarize(suite.steps, GroupBy::kFamilyPrecision);
  suite.overall = summarize(suite.steps, GroupBy::kAll);
  return suite;
}

}  // namespace cirrus::app
