// `cirrus report SCENARIO --out DIR`: a report folder (index.html with inline SVG charts,
// summary.md, candidates.csv) of a plan when the scenario has open choices, else of its one
// configuration, simulated. `plan --report DIR` and `simulate --report DIR` write the same.
#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/residuals.hpp"
#include "cli/scenario_profile.hpp"
#include "common/input_error.hpp"
#include "reports/report_builder.hpp"
#include "reports/report_files.hpp"
#include "scenarios/step_input.hpp"

namespace cirrus::cli {

void write_plan_report(const scenarios::Scenario& s, const PlanRun& run, const std::string& dir) {
  reports::write_report(reports::build_plan_report(s, run.space, run.result, run.resolved, 8,
                                                   shipped_residuals().get()),
                        dir);
}

void write_pinned_report(const scenarios::Scenario& s, const models::StepInput& input,
                         const models::SimulationOutput& sim, const std::string& dir) {
  const pricing::Instance* instance = nullptr;
  std::vector<pricing::Catalog> catalogs;
  if (!s.instance.values.empty() && !s.instance.open()) {
    catalogs = pricing::load_catalogs(source_path("pricing/catalogs"), {});
    instance = pricing::find_instance(catalogs, s.instance.value());
  }
  reports::write_report(
      reports::build_pinned_report(s, input, sim, instance, shipped_residuals().get()), dir);
}

Action add_report(CLI::App& app) {
  struct Options {
    std::string scenario;
    std::string out;
    int threads = 0;
    int top = 10;
    int refine = 8;
    std::vector<std::string> catalogs;
    ProfileDefaults profiles;
  };
  auto opt = std::make_shared<Options>();
  auto* sub = app.add_subcommand(
      "report", "write a report folder: index.html (charts), summary.md, candidates.csv");
  sub->add_option("scenario", opt->scenario, "scenario JSON file (pinned or with open choices)")
      ->required();
  sub->add_option("--out", opt->out, "the folder to write (created when missing)")->required();
  sub->add_option("-j,--jobs", opt->threads, "plan threads (default: all cores)")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--top", opt->top, "candidates listed and charted (plan)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--refine", opt->refine, "candidates re-simulated with the engine (plan)")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--catalog", opt->catalogs, "extra catalog files (plan)");
  add_public_profile_flag(*sub, opt->profiles);
  return [opt]() {
    const scenarios::Scenario s = scenarios::load_scenario(opt->scenario);
    if (!s.open_choices().empty()) {
      PlanArgs args;
      args.threads = opt->threads;
      args.top = opt->top;
      args.refine = opt->refine;
      args.catalogs = opt->catalogs;
      args.keep_pruned = true;
      args.profiles = opt->profiles;
      const auto run = run_plan_command(s, args);
      write_plan_report(s, *run, opt->out);
      fmt::print("{}/index.html: {} candidates evaluated, {} pruned\n", opt->out,
                 run->result.evaluated, run->result.infeasible);
      return run->result.best ? kExitOk : kExitInfeasible;
    }
    models::StepInput input = scenarios::pinned_input(s);
    input.profile = scenario_profile(s, input.cluster.node, opt->profiles);
    const models::SimulationOutput sim = models::simulate_step_detailed(input);
    write_pinned_report(s, input, sim, opt->out);
    fmt::print("{}/index.html: one configuration{}\n", opt->out,
               sim.result.feasible ? "" : " (infeasible)");
    return sim.result.feasible ? kExitOk : kExitInfeasible;
  };
}

}  // namespace cirrus::cli
