#pragma once
// `validate` on a measured-step dataset (scenarios/measured_steps.hpp, written by
// calibrate/validation/measure_step.py): each single-GPU step predicted twice, from datasheet
// figures and from a calibration profile of the same GPU, beside the measured median, so that
// the value of calibration shows. reports/measured_validation.hpp renders it.
//
// The profile: the file given; else calibrate/profiles/<gpu>.json when the source tree ships
// one; else, unless turned off, the GPU's public profile (app/public_profile.hpp); else none,
// and the datasheet column stands alone.
#include <optional>
#include <string>
#include <vector>

namespace cirrus::app {

// True when the file is a measured-step dataset (it has "cirrus_measured_steps"); false for
// anything else, a file that cannot be read or parsed included (its reader says why).
bool is_measured_steps(const std::string& path);

struct ProfiledStep {
  double step_s = 0;
  double error = 0;  // (predicted - measured) / measured
  bool calibrated = false;
  std::string calibration;
};

struct MeasuredRowResult {
  std::string id;
  double measured_s = 0;
  bool feasible = true;  // from datasheet figures; refused rows have only `reason`
  std::string reason;
  double datasheet_s = 0;
  double datasheet_error = 0;
  std::optional<ProfiledStep> profiled;  // none: no profile, or refused with it
};

// Mean absolute error over the rows that have the figure.
struct Mape {
  double value = 0;
  int rows = 0;
};

struct MeasuredValidation {
  std::string title, device_name, gpu, software, date, method;
  bool has_profile = false;
  std::string profile_name;  // the file given or found, else the public profile's label
  std::string calibration;   // the profile's label
  std::vector<MeasuredRowResult> rows;
  Mape datasheet, profile;
  int infeasible = 0;  // rows refused from datasheet figures
};

// `profile`: the --profile file, empty for the default above; `public_profile`: false under
// --no-public-profile.
MeasuredValidation run_measured_validation(const std::string& dataset, const std::string& profile,
                                           bool public_profile);

}  // namespace cirrus::app
