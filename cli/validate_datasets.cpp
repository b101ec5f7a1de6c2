#include "cli/validate_datasets.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <vector>

#include "cli/commands.hpp"
#include "cli/validate_measured.hpp"
#include "common/atomic_write.hpp"
#include "common/input_error.hpp"
#include "reports/collective_validation.hpp"
#include "scenarios/collective_validation_set.hpp"
#include "scenarios/validation_set.hpp"

namespace cirrus::cli {
namespace {

enum class Kind { kSteps, kCollective, kMeasured, kResiduals, kOther };

// What a JSON file under data/validation/ is, from its top-level keys.
Kind classify(const std::string& path) {
  if (scenarios::is_collective_validation_set(path)) return Kind::kCollective;
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

}  // namespace

ExitCode validate_dataset(const std::string& path, const std::string& format, const std::string& out,
                     const reports::ValidationRunOptions& options) {
  if (scenarios::is_collective_validation_set(path)) {
    const auto v =
        reports::run_collective_validation(scenarios::load_collective_validation_set(path));
    emit(format == "json" ? reports::collective_json(v).dump(2) + "\n"
                          : reports::render_collective_table(v),
         out);
    return kExitOk;
  }
  const auto d = reports::run_validation(scenarios::load_validation_set(path), options);
  emit(
      format == "json" ? reports::dataset_json(d).dump(2) + "\n" : reports::render_dataset_table(d),
      out);
  return d.not_predicted() == 0 ? kExitOk : kExitInfeasible;
}

ExitCode validate_all(const std::string& dir, const std::string& format, const std::string& out,
                 const std::string& residuals, const reports::ValidationRunOptions& options) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path().string());
  }
  if (ec)
    throw IoError(fmt::format("{}: cannot list the validation datasets: {}", dir, ec.message()));
  std::sort(files.begin(), files.end(), [](const std::string& a, const std::string& b) {
    return fs::path(a).filename() < fs::path(b).filename();
  });

  std::vector<reports::DatasetValidation> steps;
  std::vector<reports::CollectiveValidation> collectives;
  std::vector<std::pair<std::string, std::string>> skipped;  // file name, why
  for (const auto& f : files) {
    const std::string name = fs::path(f).filename().string();
    switch (classify(f)) {
      case Kind::kSteps:
        steps.push_back(reports::run_validation(scenarios::load_validation_set(f), options));
        break;
      case Kind::kCollective:
        collectives.push_back(
            reports::run_collective_validation(scenarios::load_collective_validation_set(f)));
        break;
      case Kind::kMeasured:
        skipped.emplace_back(name, "measured single-GPU steps: `cirrus validate " + name +
                                       "` compares them with and without a calibration profile");
        break;
      case Kind::kResiduals:
        skipped.emplace_back(name, "the residuals file (written by --write-residuals)");
        break;
      case Kind::kOther:
        skipped.emplace_back(name, "not a validate dataset (no rows or curves)");
        break;
    }
  }
  int not_predicted = 0;
  for (const auto& d : steps) not_predicted += d.not_predicted();
  const auto summary = reports::summarize(steps, reports::GroupBy::kFamilyPrecisionFramework);
  const auto by_family = reports::summarize(steps, reports::GroupBy::kFamilyPrecision);
  const auto overall = reports::summarize(steps, reports::GroupBy::kAll);

  if (format == "json") {
    nlohmann::json j;
    j["datasets"] = nlohmann::json::array();
    for (const auto& d : steps) j["datasets"].push_back(reports::dataset_json(d));
    j["collective_datasets"] = nlohmann::json::array();
    for (const auto& c : collectives)
      j["collective_datasets"].push_back(reports::collective_json(c));
    j["summary"] = reports::summary_json(summary);
    j["summary_by_family_precision"] = reports::summary_json(by_family);
    j["overall"] = reports::summary_json(overall);
    j["skipped"] = nlohmann::json::array();
    for (const auto& [name, why] : skipped) j["skipped"].push_back({{"file", name}, {"why", why}});
    emit(j.dump(2) + "\n", out);
  } else {
    std::string t;
    for (const auto& d : steps) t += reports::render_dataset_table(d) + "\n";
    for (const auto& c : collectives) t += reports::render_collective_table(c) + "\n";
    std::size_t rows = 0;
    for (const auto& d : steps) rows += d.rows.size();
    t += fmt::format("All step-time datasets ({} files, {} rows):\n\n", steps.size(), rows);
    t += reports::render_summary_table(summary, "by GPU family, precision and framework:");
    t += "\n" + reports::render_summary_table(by_family, "by GPU family and precision:");
    t += "\n" + reports::render_summary_table(overall, "all rows:");
    if (!skipped.empty()) {
      t += "\n  Skipped:\n";
      for (const auto& [name, why] : skipped) t += fmt::format("    {}: {}\n", name, why);
    }
    emit(t, out);
  }
  if (!residuals.empty()) write_file_atomic(residuals, reports::render_residuals(steps));
  return not_predicted == 0 ? kExitOk : kExitInfeasible;
}

}  // namespace cirrus::cli
