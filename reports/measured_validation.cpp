#include "reports/measured_validation.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "reports/report_format.hpp"

namespace cirrus::reports {
namespace {

std::string row_line(const app::MeasuredRowResult& r) {
  if (!r.feasible) {
    return fmt::format("  {:<22} {:>11.4f} {:>13}  ({})\n", r.id, r.measured_s, "infeasible",
                       r.reason);
  }
  const std::string profile_cols =
      r.profiled ? fmt::format("{:>13.4f} {:>+7.1f}% {:>10}", r.profiled->step_s,
                               r.profiled->error * 100, r.profiled->calibrated ? "yes" : "partly")
                 : fmt::format("{:>13} {:>8} {:>10}", "-", "-", "-");
  return fmt::format("  {:<22} {:>11.4f} {:>13.4f} {:>+7.1f}% {}\n", r.id, r.measured_s,
                     r.datasheet_s, r.datasheet_error * 100, profile_cols);
}

std::string render_table(const app::MeasuredValidation& v) {
  std::string table = fmt::format("{}\n  device: {} ({}), {}; measured {}\n  method: {}\n\n",
                                  v.title, v.device_name, v.gpu, v.software, v.date, v.method);
  table += fmt::format("  {:<22} {:>11} {:>13} {:>8} {:>13} {:>8} {:>10}\n", "row", "measured s",
                       "datasheet s", "error", "profile s", "error", "calibrated");
  for (const auto& r : v.rows) table += row_line(r);
  table += fmt::format("\n  MAPE from datasheet figures: {:.1f}% over {} rows\n",
                       v.datasheet.value * 100, v.datasheet.rows);
  if (v.has_profile) {
    table += fmt::format("  MAPE with the profile {}: {:.1f}% over {} rows\n", v.profile_name,
                         v.profile.value * 100, v.profile.rows);
  } else {
    table += fmt::format(
        "  no calibration profile for {} (run `cirrus calibrate` on one and pass --profile): "
        "the datasheet column alone\n",
        v.gpu);
  }
  return table;
}

nlohmann::json row_json(const app::MeasuredRowResult& r) {
  nlohmann::json j{{"id", r.id}, {"measured_s", round_sig(r.measured_s)}};
  if (!r.feasible) {
    j["feasible"] = false;
    j["reason"] = r.reason;
    return j;
  }
  j["datasheet_s"] = round_sig(r.datasheet_s);
  j["datasheet_error"] = round_sig(r.datasheet_error, 4);
  if (r.profiled) {
    j["profile_s"] = round_sig(r.profiled->step_s);
    j["profile_error"] = round_sig(r.profiled->error, 4);
    j["calibrated"] = r.profiled->calibrated;
    j["calibration"] = r.profiled->calibration;
  }
  return j;
}

std::string render_json(const app::MeasuredValidation& v) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& r : v.rows) rows.push_back(row_json(r));
  nlohmann::json j{{"dataset", v.title}, {"device", v.device_name},
                   {"gpu", v.gpu},       {"date", v.date},
                   {"rows", rows},       {"mape_datasheet", round_sig(v.datasheet.value, 4)}};
  if (v.has_profile) {
    j["profile"] = v.profile_name;
    j["calibration"] = v.calibration;
    j["mape_profile"] = round_sig(v.profile.value, 4);
  }
  return j.dump(2) + "\n";
}

}  // namespace

std::string render_measured_validation(const app::MeasuredValidation& v,
                                       const std::string& format) {
  return format == "json" ? render_json(v) : render_table(v);
}

}  // namespace cirrus::reports
