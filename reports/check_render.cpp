#include "reports/check_render.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "reports/pinned_render.hpp"
#include "reports/plan_render.hpp"

namespace cirrus::reports {

std::size_t Verdict::failed_checks() const {
  return static_cast<std::size_t>(
      std::count_if(checks.begin(), checks.end(), [](const Check& k) { return !k.passed; }));
}

nlohmann::json check_result_json(const app::CheckRun& run) {
  if (run.pinned) return pinned_json(*run.job, *run.pinned);
  const scenarios::Scenario& s = run.job->scenario;
  const plan::PlanResult& result = run.plan->result;
  if (!result.best) {
    return {{"cirrus", 1},
            {"scenario", s.name},
            {"feasible", false},
            {"infeasible_reason",
             result.no_best_reason.empty() ? "no feasible configuration" : result.no_best_reason}};
  }
  return candidate_json(plan_view(*run.job, *run.plan), *result.best);
}

Verdict judge(const app::CheckCase& c, const app::CheckRun* run) {
  Verdict v;
  v.file = c.scenario.file;
  v.name = c.scenario.name;
  if (run == nullptr) return v;
  v.checks = evaluate_expectations(c.expectations, check_result_json(*run));
  v.seconds = run->seconds;
  v.outcome = v.failed_checks() == 0 ? Outcome::kPass : Outcome::kFail;
  return v;
}

std::string render_verdict(const Verdict& v, bool verbose, bool timings) {
  if (v.outcome == Outcome::kSkip) {
    return fmt::format("SKIP  {}  {}  (no expect block)\n", v.file, v.name);
  }
  const std::string time = timings ? fmt::format(", {:.2f} s", v.seconds) : std::string();
  std::string text =
      v.outcome == Outcome::kPass
          ? fmt::format("PASS  {}  {}  ({} checks{})\n", v.file, v.name, v.checks.size(), time)
          : fmt::format("FAIL  {}  {}  ({} of {} checks failed{})\n", v.file, v.name,
                        v.failed_checks(), v.checks.size(), time);
  for (const auto& k : v.checks) {
    if (!k.passed) {
      text += "      " + difference(k) + "\n";
    } else if (verbose) {
      text += fmt::format("      ok {}: {}\n", k.name, k.actual);
    }
  }
  return text;
}

std::string render_check_summary(const std::vector<Verdict>& verdicts) {
  auto count = [&](Outcome o) {
    return std::count_if(verdicts.begin(), verdicts.end(),
                         [o](const Verdict& v) { return v.outcome == o; });
  };
  return fmt::format("{} passed, {} failed, {} skipped\n", count(Outcome::kPass),
                     count(Outcome::kFail), count(Outcome::kSkip));
}

bool any_failed(const std::vector<Verdict>& verdicts) {
  return std::any_of(verdicts.begin(), verdicts.end(),
                     [](const Verdict& v) { return v.outcome == Outcome::kFail; });
}

}  // namespace cirrus::reports
