#pragma once
// `check --junit`: the verdicts as a JUnit XML report, one testsuite of one testcase per
// scenario (classname: the file, name: the scenario's name), as CI systems read it.
#include <string>
#include <vector>

#include "reports/check_render.hpp"

namespace cirrus::reports {

// `total_seconds`: the wall time of the whole run.
std::string render_junit(const std::vector<Verdict>& verdicts, double total_seconds);

}  // namespace cirrus::reports
