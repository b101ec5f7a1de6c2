#pragma once
// `check --junit`: the verdicts as a JUnit XML report, one testsuite of one testcase per
// scenario (classname: the file, name: the scenario's name), as CI systems read it.
#include <optional>
#include <string>
#include <vector>

#include "reports/check_render.hpp"

namespace cirrus::reports {

// `total_seconds`: the wall time of the whole run, written with each case's as `time`
// attributes; without it (the default of `check`) there are none, and the report is the same
// bytes on every run.
std::string render_junit(const std::vector<Verdict>& verdicts,
                         std::optional<double> total_seconds = std::nullopt);

}  // namespace cirrus::reports
