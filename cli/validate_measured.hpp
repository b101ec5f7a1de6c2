#pragma once
// `cirrus validate` on a measured-step dataset (calibrate/validation/measure_step.py's output):
// each single-GPU step predicted twice, from datasheet figures and from a calibration profile
// of the same GPU, beside the measured median, so the value of calibration shows.
#include <string>

#include "common/input_error.hpp"

namespace cirrus::cli {

// True when the file is a measured-step dataset (it has "cirrus_measured_steps").
bool is_measured_steps(const std::string& path);

// Prints the comparison; `profile` empty: calibrate/profiles/<gpu>.json from the source tree
// when it exists, else the public profile for the GPU (cli/public_profile.hpp) unless
// `public_profile` is false, else the datasheet column alone (and it says so). Returns the exit
// status.
ExitCode validate_measured(const std::string& dataset, const std::string& profile,
                      const std::string& format, const std::string& out, bool public_profile);

}  // namespace cirrus::cli
