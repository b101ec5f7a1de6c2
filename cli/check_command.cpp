// `cirrus check SCENARIO|DIR...`: runs each scenario's `expect` block, for CI
// (app/check_run.hpp), printing a line per scenario as it finishes
// (reports/check_render.hpp) and, on request, a JUnit report (reports/junit_render.hpp).
//
// Exit status: 1 when any expectation failed (or, with --strict, a scenario has nothing to
// check), else 0. Bad input anywhere stops the run with
// the one-line error and status 3 before anything is simulated.
#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <vector>

#include "app/check_run.hpp"
#include "cli/commands.hpp"
#include "common/atomic_write.hpp"
#include "reports/check_render.hpp"
#include "reports/junit_render.hpp"

namespace cirrus::cli {

Action add_check(CLI::App& app) {
  struct Options {
    std::vector<std::string> paths;
    std::string junit;
    int threads = 0;
    bool verbose = false;
    bool timings = false;
    bool strict = false;
    app::ProfileDefaults profiles;
  };
  auto opt = std::make_shared<Options>();
  auto* sub = app.add_subcommand(
      "check", "run the scenarios' expect blocks; exit status 1 when any expectation fails");
  sub->add_option("scenarios", opt->paths,
                  "scenario files, or directories searched recursively for *.json")
      ->required();
  sub->add_option("--junit", opt->junit, "also write a JUnit XML report to this file (atomically)");
  sub->add_option("-j,--jobs", opt->threads,
                  "planner threads (default: all cores); results are identical")
      ->check(count_in("--jobs", 0, kMaxJobs));
  sub->add_flag("-v,--verbose", opt->verbose, "list passed expectations too");
  sub->add_flag("--strict", opt->strict,
                "fail (exit 1) when a scenario has nothing to check (no expect block)");
  sub->add_flag("--timings", opt->timings,
                "print each scenario's wall time and write JUnit time attributes (off: the "
                "output is the same bytes on every run)");
  add_public_profile_flag(*sub, opt->profiles);
  return [opt]() {
    const app::CheckOptions options{threads_of(opt->threads), opt->profiles};
    const std::vector<app::CheckCase> cases = app::load_checks(opt->paths);
    std::vector<reports::Verdict> verdicts;
    // A line per scenario as it finishes: CI logs show progress.
    const double seconds =
        app::run_checks(cases, options, [&](const app::CheckCase& c, const app::CheckRun* run) {
          verdicts.push_back(reports::judge(c, run));
          emit(reports::render_verdict(verdicts.back(), opt->verbose, opt->timings), "");
        });
    emit(reports::render_check_summary(verdicts), "");
    if (!opt->junit.empty())
      write_file_atomic(
          opt->junit, reports::render_junit(
                          verdicts, opt->timings ? std::optional<double>(seconds) : std::nullopt));
    const auto unchecked = std::count_if(verdicts.begin(), verdicts.end(), [](const auto& v) {
      return v.outcome == reports::Outcome::kSkip;
    });
    if (opt->strict && unchecked > 0) {
      fmt::print(stderr, "cirrus: check --strict: {} of {} scenarios have nothing to check\n",
                 unchecked, verdicts.size());
    }
    return reports::any_failed(verdicts) || (opt->strict && unchecked > 0) ? kExitExpectationFailed
                                                                           : kExitOk;
  };
}

}  // namespace cirrus::cli
