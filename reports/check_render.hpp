#pragma once
// `check`'s judgement and its lines (app/check_run.hpp runs the cases). Each case's result
// object is the one `simulate --format json` prints for a pinned scenario (cost included) and
// the plan's best candidate for one with open choices (without one, an infeasible result
// saying which limit binds); its expectations are judged against it (reports/expectations.hpp).
//
// One line per scenario as it finishes, PASS, FAIL or SKIP (no expect block), each failed
// expectation under its scenario (passed ones too when verbose), then
// `N passed, M failed, K skipped`.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/check_run.hpp"
#include "reports/expectations.hpp"

namespace cirrus::reports {

enum class Outcome { kPass, kFail, kSkip };

struct Verdict {
  std::string file;
  std::string name;  // the scenario's name
  Outcome outcome = Outcome::kSkip;
  std::vector<Check> checks;
  double seconds = 0;
  std::size_t failed_checks() const;
};

// The result object a run's expectations are judged against.
nlohmann::json check_result_json(const app::CheckRun& run);

// `run` null: the case has no expect block and was skipped.
Verdict judge(const app::CheckCase& c, const app::CheckRun* run);

// The verdict's line, and the failed (with `verbose`, also the passed) expectations under it.
// `timings`: each scenario's wall time in its line (off by default: the same bytes every run).
std::string render_verdict(const Verdict& v, bool verbose, bool timings = false);
std::string render_check_summary(const std::vector<Verdict>& verdicts);
bool any_failed(const std::vector<Verdict>& verdicts);

}  // namespace cirrus::reports
