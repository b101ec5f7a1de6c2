#pragma once
// A scenario's `expect` block (CONTRACT.md), read and validated: what `cirrus check` judges its
// result against (reports/expectations.hpp judges).
//
// The fields are those of CONTRACT.md's result object: `simulate`'s result for a pinned
// scenario, the plan's best candidate (with `cost`) for one with open choices. An expectation
// is one of
//   "best": {"instance": "aws:p5.48xlarge", "tp": 8}   fields of the chosen `config`
//   "tp": 8, "schedule": "1f1b"                          shorthand for config.tp, config.schedule
//   "feasible": false, "calibrated": false               a value, compared for equality
//   "step_time_s": [10, 12], "memory_gib.total": [..]    a [low, high] range, bounds included
// Fields are addressed by name or dotted path ("cost.usd_total", "breakdown_s.pp_bubble"); an
// object is the same as its dotted paths ("memory_gib": {"total": [60, 70]}).
//
// Fields are known statically (expectation_fields()) rather than taken from a result: a field
// an infeasible result lacks (step_time_s) is then a failed expectation, not bad input, and the
// whole block is validated before anything is simulated.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "scenarios/scenario.hpp"

namespace cirrus::app {

enum class FieldKind { kNumber, kBool, kString };

// One expectation, read and validated.
struct Expectation {
  std::string name;  // as written, for messages: "step_time_s", "best.instance", "tp"
  std::string path;  // where it looks in the result: "step_time_s", "config.instance"
  FieldKind kind = FieldKind::kNumber;
  nlohmann::json expected;  // a scalar, or [low, high] when `range`
  bool range = false;
};

// Every field an expectation may address, as result paths ("config.tp", "memory_gib.total"),
// in a fixed order. Kept in step with reports/result_render and reports/plan_render (a test
// walks their output).
const std::vector<std::string>& expectation_fields();

// Reads s.expect (null: no expectations). Throws InputError naming s.file and the JSON path
// (`expect.<field>`) for an unknown field (with a did-you-mean), a `best` that is not an object,
// a range that is not two numbers with low <= high, a range on a non-numeric field, or a value
// of the wrong type.
std::vector<Expectation> parse_expectations(const scenarios::Scenario& s);

}  // namespace cirrus::app
