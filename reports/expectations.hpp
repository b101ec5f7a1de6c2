#pragma once
// A result object judged against a scenario's expectations (app/expectations.hpp reads them),
// for `cirrus check`. Numbers compare as numbers (8 equals 8.0); a field the result lacks (or
// holds as null) fails, saying why when the result is infeasible.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/expectations.hpp"
#include "scenarios/scenario.hpp"

namespace cirrus::reports {

// One judged expectation. `expected` and `actual` are display text: "in [10, 12]",
// "\"aws:p5.48xlarge\"", "12.84 (+7.0% above the range)", "nothing (infeasible: ...)".
struct Check {
  std::string name;  // "expect.step_time_s"
  bool passed = false;
  std::string expected;
  std::string actual;
};

// Judges each expectation against a result object, in order.
std::vector<Check> evaluate_expectations(const std::vector<app::Expectation>& expectations,
                                         const nlohmann::json& result);

// app::parse_expectations then evaluate_expectations.
std::vector<Check> check_expectations(const scenarios::Scenario& s, const nlohmann::json& result);

// "expect.step_time_s: expected in [10, 12], got 12.84 (+7.0% above the range)".
std::string difference(const Check& c);

}  // namespace cirrus::reports
