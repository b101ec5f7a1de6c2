#include "reports/validate_render.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "reports/collective_validation.hpp"
#include "reports/measured_validation.hpp"
#include "reports/serving_validation.hpp"
#include "reports/validation_report.hpp"

namespace cirrus::reports {
namespace {

std::string suite_json(const app::ValidationSuite& s) {
  nlohmann::json j;
  j["datasets"] = nlohmann::json::array();
  for (const auto& d : s.steps) j["datasets"].push_back(dataset_json(d));
  j["collective_datasets"] = nlohmann::json::array();
  for (const auto& c : s.collectives) j["collective_datasets"].push_back(collective_json(c));
  j["serving_datasets"] = nlohmann::json::array();
  for (const auto& v : s.servings) j["serving_datasets"].push_back(serving_validation_json(v));
  j["summary"] = summary_json(s.by_family_precision_framework);
  j["summary_by_family_precision"] = summary_json(s.by_family_precision);
  j["overall"] = summary_json(s.overall);
  j["skipped"] = nlohmann::json::array();
  for (const auto& [name, why] : s.skipped) j["skipped"].push_back({{"file", name}, {"why", why}});
  return j.dump(2) + "\n";
}

std::string suite_table(const app::ValidationSuite& s) {
  std::string t;
  for (const auto& d : s.steps) t += render_dataset_table(d) + "\n";
  for (const auto& c : s.collectives) t += render_collective_table(c) + "\n";
  for (const auto& v : s.servings) t += render_serving_validation_table(v) + "\n";
  std::size_t rows = 0;
  for (const auto& d : s.steps) rows += d.rows.size();
  t += fmt::format("All step-time datasets ({} files, {} rows):\n\n", s.steps.size(), rows);
  t += render_summary_table(s.by_family_precision_framework,
                            "by GPU family, precision and framework:");
  t += "\n" + render_summary_table(s.by_family_precision, "by GPU family and precision:");
  t += "\n" + render_summary_table(s.overall, "all rows:");
  if (!s.skipped.empty()) {
    t += "\n  Skipped:\n";
    for (const auto& [name, why] : s.skipped) t += fmt::format("    {}: {}\n", name, why);
  }
  return t;
}

}  // namespace

std::string render_dataset_run(const app::DatasetRun& run, const std::string& format) {
  const bool json = format == "json";
  if (run.measured) return render_measured_validation(*run.measured, format);
  if (run.serving) {
    return json ? serving_validation_json(*run.serving).dump(2) + "\n"
                : render_serving_validation_table(*run.serving);
  }
  if (run.collective) {
    return json ? collective_json(*run.collective).dump(2) + "\n"
                : render_collective_table(*run.collective);
  }
  return json ? dataset_json(*run.steps).dump(2) + "\n" : render_dataset_table(*run.steps);
}

std::string render_validation_suite(const app::ValidationSuite& suite, const std::string& format) {
  return format == "json" ? suite_json(suite) : suite_table(suite);
}

}  // namespace cirrus::reports
