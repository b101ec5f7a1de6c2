#pragma once
// One function per subcommand: each registers its options on the app and returns the action
// to run when that subcommand is chosen. Actions return the process exit status.
#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "models/step/simulate.hpp"
#include "plan/instance_options.hpp"
#include "plan/planner.hpp"
#include "plan/search_space.hpp"
#include "pricing/catalog.hpp"
#include "cli/scenario_profile.hpp"
#include "scenarios/scenario.hpp"

namespace cirrus::cli {

using Action = std::function<int()>;

Action add_simulate(CLI::App& app);
Action add_validate(CLI::App& app);
Action add_collective(CLI::App& app);
Action add_plan(CLI::App& app);
Action add_check(CLI::App& app);
Action add_calibrate(CLI::App& app);
Action add_catalog(CLI::App& app);
Action add_price(CLI::App& app);
Action add_report(CLI::App& app);
Action add_serve(CLI::App& app);
Action add_elastic(CLI::App& app);

// A plan as `cirrus plan` runs it (catalogs, instances, search space, planner), shared with
// `cirrus report`. The parts refer to each other: keep the object whole.
struct PlanArgs {
  int threads = 0;  // 0: all cores
  int top = 10;
  int refine = 8;
  std::vector<std::string> catalogs;
  bool keep_pruned = false;  // list pruned combinations (for a report's CSV)
  ProfileDefaults profiles;   // --no-public-profile
};
struct PlanRun {
  std::vector<pricing::Catalog> catalogs;
  plan::ResolvedInstances resolved;
  plan::SearchSpace space;
  plan::PlanResult result;
};
std::unique_ptr<PlanRun> run_plan_command(const scenarios::Scenario& s, const PlanArgs& args);

// Writes a report folder (reports/report_files.hpp) for a plan or for a pinned, simulated
// configuration (its instance is looked up in the shipped catalogs for prices).
void write_plan_report(const scenarios::Scenario& s, const PlanRun& run, const std::string& dir);
void write_pinned_report(const scenarios::Scenario& s, const models::StepInput& input,
                         const models::SimulationOutput& sim, const std::string& dir);

// A file under the shipped data/ folder: $CIRRUS_DATA_DIR, else the installed or source tree's
// data/ (common/data_dir.hpp).
std::string data_path(const std::string& relative);

// Other shipped files (pricing/catalogs, ...): $CIRRUS_SOURCE_ROOT, else the installed or source
// tree (common/data_dir.hpp).
std::string source_path(const std::string& relative);

// Writes to stdout, or atomically to `out` when given.
void emit(const std::string& text, const std::string& out);

}  // namespace cirrus::cli
