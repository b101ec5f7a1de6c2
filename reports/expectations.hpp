#pragma once
// A scenario's `expect` block (CONTRACT.md) judged against its result object, for `cirrus check`.
//
// The result object is CONTRACT.md's: `simulate`'s result for a pinned scenario, the plan's best
// candidate (with `cost`) for one with open choices. An expectation is one of
//   "best": {"instance": "aws:p5.48xlarge", "tp": 8}   fields of the chosen `config`
//   "tp": 8, "schedule": "1f1b"                          shorthand for config.tp, config.schedule
//   "feasible": false, "calibrated": false               a value, compared for equality
//   "step_time_s": [10, 12], "memory_gib.total": [..]    a [low, high] range, bounds included
// Fields are addressed by name or dotted path ("cost.usd_total", "breakdown_s.pp_bubble"); an
// object is the same as its dotted paths ("memory_gib": {"total": [60, 70]}). Numbers compare
// as numbers (8 equals 8.0).
//
// Fields are known statically (expectation_fields()) rather than taken from the result: a field
// an infeasible result lacks (step_time_s) is then a failed expectation, not bad input, and the
// whole block is validated before anything is simulated.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "scenarios/scenario.hpp"

namespace cirrus::reports {

enum class FieldKind { kNumber, kBool, kString };

// One expectation, read and validated.
struct Expectation {
  std::string name;  // as written, for messages: "step_time_s", "best.instance", "tp"
  std::string path;  // where it looks in the result: "step_time_s", "config.instance"
  FieldKind kind = FieldKind::kNumber;
  nlohmann::json expected;  // a scalar, or [low, high] when `range`
  bool range = false;
};

// One judged expectation. `expected` and `actual` are display text: "in [10, 12]",
// "\"aws:p5.48xlarge\"", "12.84 (+7.0% above the range)", "nothing (infeasible: ...)".
struct Check {
  std::string name;  // "expect.step_time_s"
  bool passed = false;
  std::string expected;
  std::string actual;
};

// Every field an expectation may address, as result paths ("config.tp", "memory_gib.total"),
// in a fixed order. Kept in step with result_render and plan_render (a test walks their output).
const std::vector<std::string>& expectation_fields();

// Reads s.expect (null: no expectations). Throws InputError naming s.file and the JSON path
// (`expect.<field>`) for an unknown field (with a did-you-mean), a `best` that is not an object,
// a range that is not two numbers with low <= high, a range on a non-numeric field, or a value
// of the wrong type.
std::vector<Expectation> parse_expectations(const scenarios::Scenario& s);

// Judges each expectation against a result object, in order. A field the result lacks (or
// holds as null) fails, saying why when the result is infeasible.
std::vector<Check> evaluate_expectations(const std::vector<Expectation>& expectations,
                                         const nlohmann::json& result);

// parse_expectations then evaluate_expectations.
std::vector<Check> check_expectations(const scenarios::Scenario& s, const nlohmann::json& result);

// "expect.step_time_s: expected in [10, 12], got 12.84 (+7.0% above the range)".
std::string difference(const Check& c);

}  // namespace cirrus::reports
