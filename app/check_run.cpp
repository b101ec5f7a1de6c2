#include "app/check_run.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "app/paths.hpp"
#include "common/input_error.hpp"
#include "plan/instance_options.hpp"
#include "plan/search_space.hpp"
#include "pricing/catalog.hpp"
#include "scenarios/scenario_prices.hpp"
#include "scenarios/step_input.hpp"

namespace cirrus::app {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Everything that can be bad input, without simulating: the expect block, and what simulate
// or plan would refuse before running.
CheckCase vet(scenarios::Scenario s, const std::vector<pricing::Catalog>& catalogs) {
  CheckCase c;
  c.expectations = parse_expectations(s);
  // As the job will: the scenario's own prices first (pricing.usd_per_hour).
  std::vector<pricing::Catalog> priced = catalogs;
  scenarios::apply_scenario_prices(s, priced);
  if (s.open_choices().empty()) {
    scenarios::pinned_input(s);
  } else {
    const plan::ResolvedInstances resolved = plan::resolve_instances(s, priced);
    plan::build_search_space(s, resolved.options);
  }
  c.scenario = std::move(s);
  return c;
}

CheckRun run_case(const scenarios::Scenario& s, const CheckOptions& options) {
  const auto t0 = Clock::now();
  CheckRun run;
  const JobOptions job_options{options.profiles, {}};
  if (s.open_choices().empty()) {
    run.job = resolve_pinned(s, job_options);
    run.pinned = run_pinned(*run.job);
  } else {
    run.job = resolve_search(s, job_options);
    PlanRunOptions plan;  // the planner's default refinement and top K
    plan.threads = options.threads;
    run.plan = run_plan(*run.job, plan);
  }
  run.seconds = seconds_since(t0);
  return run;
}

}  // namespace

std::vector<std::string> check_files(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const auto& p : paths) {
    std::error_code ec;
    if (!fs::is_directory(p, ec)) {
      out.push_back(p);
      continue;
    }
    std::vector<std::string> found;
    for (fs::recursive_directory_iterator it(p, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->is_regular_file(ec) && it->path().extension() == ".json") {
        found.push_back(it->path().generic_string());
      }
    }
    if (ec) throw IoError(fmt::format("{}: cannot list the directory: {}", p, ec.message()));
    if (found.empty()) {
      throw InputError(p, "", "a directory holding scenario files (*.json)", "none");
    }
    std::sort(found.begin(), found.end());
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

std::vector<CheckCase> load_checks(const std::vector<std::string>& paths) {
  const std::vector<pricing::Catalog> catalogs =
      pricing::read_catalog_dir(source_path("pricing/catalogs"));
  std::vector<CheckCase> cases;
  for (const auto& file : check_files(paths)) {
    scenarios::Scenario s = scenarios::load_scenario(file);
    if (s.expect.is_null()) {
      cases.push_back({std::move(s), {}});
    } else {
      cases.push_back(vet(std::move(s), catalogs));
    }
  }
  return cases;
}

double run_checks(const std::vector<CheckCase>& cases, const CheckOptions& options,
                  const std::function<void(const CheckCase&, const CheckRun*)>& done) {
  const auto start = Clock::now();
  for (const auto& c : cases) {
    if (!c.has_expect()) {
      done(c, nullptr);
      continue;
    }
    const CheckRun run = run_case(c.scenario, options);
    done(c, &run);
  }
  return seconds_since(start);
}

}  // namespace cirrus::app
