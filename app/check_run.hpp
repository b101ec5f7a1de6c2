#pragma once
// `check`'s job: the scenario files of the command line, every one read and vetted before any
// runs, then each scenario with an `expect` block run as `simulate` runs it (pinned:
// app/pinned_run.hpp) or as `plan` does with the default refinement and the shipped catalogs
// (open choices: app/plan_run.hpp). reports/check_render.hpp judges and prints each run.
//
// Bad input anywhere (a malformed scenario, an unknown `expect` field, a bad range, a pinned
// configuration or search space that simulate or plan would refuse) is thrown by load_checks,
// before anything is simulated: a typo in the last file costs no simulation time and never
// passes silently. A scenario's calibration profile is read only when the scenario runs (as
// simulate and plan read it), so that a bad one stops the run after the scenarios before it.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/expectations.hpp"
#include "app/job.hpp"
#include "app/pinned_run.hpp"
#include "app/plan_run.hpp"
#include "app/profiles.hpp"
#include "scenarios/scenario.hpp"

namespace cirrus::app {

struct CheckCase {
  scenarios::Scenario scenario;
  std::vector<Expectation> expectations;  // read from the expect block; empty without one
  bool has_expect() const { return !scenario.expect.is_null(); }
};

// Files as given; directories searched recursively for *.json, each directory's files sorted
// by path so that runs (and JUnit reports) come in the same order everywhere. Throws IoError
// for a directory that cannot be listed, InputError for one without *.json.
std::vector<std::string> check_files(const std::vector<std::string>& paths);

// Reads the shipped catalogs, then every file of check_files(paths) in order, and vets each
// scenario that has an expect block. Throws the first error.
std::vector<CheckCase> load_checks(const std::vector<std::string>& paths);

struct CheckOptions {
  int threads = 1;  // the planner's; its output does not depend on them
  ProfileDefaults profiles;
};

// One scenario's run: exactly one of `pinned` and `plan`.
struct CheckRun {
  std::unique_ptr<const Job> job;
  std::optional<PinnedRun> pinned;      // a pinned scenario
  std::unique_ptr<const PlanRun> plan;  // one with open choices
  double seconds = 0;                   // wall time of resolving and running
};

// Runs the cases with an expect block in order, one at a time, and calls `done` after each
// case (with a null run for a case without an expect block) so that the caller can report
// progress as it goes. Returns the wall time of the whole, in seconds.
double run_checks(const std::vector<CheckCase>& cases, const CheckOptions& options,
                  const std::function<void(const CheckCase&, const CheckRun*)>& done);

}  // namespace cirrus::app
