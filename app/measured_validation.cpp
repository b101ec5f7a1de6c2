#include "app/measured_validation.hpp"

#include <cmath>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "app/paths.hpp"
#include "app/profiles.hpp"
#include "app/public_profile.hpp"
#include "common/read_file.hpp"
#include "models/step/simulate.hpp"
#include "scenarios/measured_steps.hpp"

namespace cirrus::app {
namespace {

struct MapeSum {
  double sum = 0;
  int n = 0;
  void add(double err) {
    sum += std::fabs(err);
    ++n;
  }
  Mape mape() const { return {n > 0 ? sum / n : 0.0, n}; }
};

std::shared_ptr<const models::ProfileLookup> profile_for(const scenarios::MeasuredStepSet& set,
                                                         const std::string& profile_file,
                                                         bool public_profile) {
  if (set.rows.empty()) return nullptr;
  const models::NodeSpec& node = set.rows.front().input.cluster.node;
  if (!profile_file.empty()) return profile_from_file(profile_file, node.gpu);
  return public_profile ? app::public_profile(node) : nullptr;
}

}  // namespace

bool is_measured_steps(const std::string& path) {
  try {
    const auto j = nlohmann::json::parse(read_file(path));
    return j.is_object() && j.contains("cirrus_measured_steps");
  } catch (const std::exception&) {
    return false;  // the dataset reader that follows reports what is wrong with it
  }
}

MeasuredValidation run_measured_validation(const std::string& dataset, const std::string& profile,
                                           bool public_profile) {
  const auto set = scenarios::load_measured_steps(dataset);
  std::string profile_file = profile;
  if (profile_file.empty()) {
    const std::string shipped = source_path("calibrate/profiles/" + set.gpu + ".json");
    if (std::filesystem::is_regular_file(shipped)) profile_file = shipped;
  }
  const auto lookup = profile_for(set, profile_file, public_profile);

  MeasuredValidation out;
  out.title = set.title;
  out.device_name = set.device_name;
  out.gpu = set.gpu;
  out.software = set.software;
  out.date = set.date;
  out.method = set.method;
  out.has_profile = lookup != nullptr;
  if (lookup) {
    out.profile_name = !profile_file.empty() ? profile_file : lookup->label();
    out.calibration = lookup->label();
  }
  MapeSum datasheet, profiled;
  for (const auto& row : set.rows) {
    MeasuredRowResult r;
    r.id = row.id;
    r.measured_s = row.measured_step_s;
    const models::StepResult plain = models::simulate_step(row.input);
    std::optional<models::StepResult> cal;
    if (lookup) {
      models::StepInput in = row.input;
      in.profile = lookup;
      cal = models::simulate_step(in);
    }
    if (!plain.feasible) {
      ++out.infeasible;
      r.feasible = false;
      r.reason = plain.infeasible_reason;
      out.rows.push_back(std::move(r));
      continue;
    }
    r.datasheet_s = plain.step_time_s;
    r.datasheet_error = (plain.step_time_s - row.measured_step_s) / row.measured_step_s;
    datasheet.add(r.datasheet_error);
    if (cal && cal->feasible) {
      const double e = (cal->step_time_s - row.measured_step_s) / row.measured_step_s;
      profiled.add(e);
      r.profiled = ProfiledStep{cal->step_time_s, e, cal->calibrated, cal->calibration};
    }
    out.rows.push_back(std::move(r));
  }
  out.datasheet = datasheet.mape();
  out.profile = profiled.mape();
  return out;
}

}  // namespace cirrus::app
