#include "cli/validate_measured.hpp"

#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <optional>

#include "app/paths.hpp"
#include "cli/commands.hpp"
#include "app/public_profile.hpp"
#include "app/profiles.hpp"
#include "common/atomic_write.hpp"
#include "models/step/simulate.hpp"
#include "reports/result_render.hpp"
#include "scenarios/measured_steps.hpp"

namespace cirrus::cli {

bool is_measured_steps(const std::string& path) {
  try {
    const auto j = nlohmann::json::parse(read_file(path));
    return j.is_object() && j.contains("cirrus_measured_steps");
  } catch (const std::exception&) {
    return false;  // the dataset reader that follows reports what is wrong with it
  }
}

namespace {

struct Mape {
  double sum = 0;
  int n = 0;
  void add(double err) {
    sum += std::fabs(err);
    ++n;
  }
  double value() const { return n > 0 ? sum / n : 0.0; }
};

}  // namespace

ExitCode validate_measured(const std::string& dataset, const std::string& profile,
                      const std::string& format, const std::string& out, bool public_profile) {
  const auto set = scenarios::load_measured_steps(dataset);
  std::string profile_file = profile;
  if (profile_file.empty()) {
    const std::string shipped = app::source_path("calibrate/profiles/" + set.gpu + ".json");
    if (std::filesystem::is_regular_file(shipped)) profile_file = shipped;
  }
  std::shared_ptr<const models::ProfileLookup> lookup;
  if (!profile_file.empty() && !set.rows.empty()) {
    lookup = app::profile_from_file(profile_file, set.rows.front().input.cluster.node.gpu);
  } else if (public_profile && !set.rows.empty()) {
    lookup = app::public_profile(set.rows.front().input.cluster.node);
  }
  // What the profile column rests on: the file given or found, else the public profile.
  const std::string profile_name = !profile_file.empty() ? profile_file
                                   : lookup              ? lookup->label()
                                                         : std::string();

  std::string table = fmt::format("{}\n  device: {} ({}), {}; measured {}\n  method: {}\n\n",
                                  set.title, set.device_name, set.gpu, set.software, set.date,
                                  set.method);
  table += fmt::format("  {:<22} {:>11} {:>13} {:>8} {:>13} {:>8} {:>10}\n", "row", "measured s",
                       "datasheet s", "error", "profile s", "error", "calibrated");
  nlohmann::json rows = nlohmann::json::array();
  Mape datasheet_mape, profile_mape;
  int infeasible = 0;
  for (const auto& row : set.rows) {
    const models::StepResult plain = models::simulate_step(row.input);
    std::optional<models::StepResult> cal;
    if (lookup) {
      models::StepInput in = row.input;
      in.profile = lookup;
      cal = models::simulate_step(in);
    }
    nlohmann::json jr{{"id", row.id}, {"measured_s", reports::round_sig(row.measured_step_s)}};
    if (!plain.feasible) {
      ++infeasible;
      table += fmt::format("  {:<22} {:>11.4f} {:>13}  ({})\n", row.id, row.measured_step_s,
                           "infeasible", plain.infeasible_reason);
      jr["feasible"] = false;
      jr["reason"] = plain.infeasible_reason;
      rows.push_back(jr);
      continue;
    }
    const double e0 = (plain.step_time_s - row.measured_step_s) / row.measured_step_s;
    datasheet_mape.add(e0);
    jr["datasheet_s"] = reports::round_sig(plain.step_time_s);
    jr["datasheet_error"] = reports::round_sig(e0, 4);
    std::string cal_cols = fmt::format("{:>13} {:>8} {:>10}", "-", "-", "-");
    if (cal && cal->feasible) {
      const double e1 = (cal->step_time_s - row.measured_step_s) / row.measured_step_s;
      profile_mape.add(e1);
      cal_cols = fmt::format("{:>13.4f} {:>+7.1f}% {:>10}", cal->step_time_s, e1 * 100,
                             cal->calibrated ? "yes" : "partly");
      jr["profile_s"] = reports::round_sig(cal->step_time_s);
      jr["profile_error"] = reports::round_sig(e1, 4);
      jr["calibrated"] = cal->calibrated;
      jr["calibration"] = cal->calibration;
    }
    table += fmt::format("  {:<22} {:>11.4f} {:>13.4f} {:>+7.1f}% {}\n", row.id,
                         row.measured_step_s, plain.step_time_s, e0 * 100, cal_cols);
    rows.push_back(jr);
  }
  table += fmt::format("\n  MAPE from datasheet figures: {:.1f}% over {} rows\n",
                       datasheet_mape.value() * 100, datasheet_mape.n);
  if (lookup) {
    table += fmt::format("  MAPE with the profile {}: {:.1f}% over {} rows\n", profile_name,
                         profile_mape.value() * 100, profile_mape.n);
  } else {
    table += fmt::format(
        "  no calibration profile for {} (run `cirrus calibrate` on one and pass --profile): "
        "the datasheet column alone\n",
        set.gpu);
  }
  if (format == "json") {
    nlohmann::json j{{"dataset", set.title},
                     {"device", set.device_name},
                     {"gpu", set.gpu},
                     {"date", set.date},
                     {"rows", rows},
                     {"mape_datasheet", reports::round_sig(datasheet_mape.value(), 4)}};
    if (lookup) {
      j["profile"] = profile_name;
      j["calibration"] = lookup->label();
      j["mape_profile"] = reports::round_sig(profile_mape.value(), 4);
    }
    emit(j.dump(2) + "\n", out);
  } else {
    emit(table, out);
  }
  return infeasible == 0 ? kExitOk : kExitInfeasible;
}

}  // namespace cirrus::cli
