// `cirrus report SCENARIO --out DIR`: a report folder (index.html with inline SVG charts,
// summary.md, candidates.csv) of a plan when the scenario has open choices, else of its one
// configuration, simulated. `plan --report DIR` and `simulate --report DIR` write the same.
// A scenario with a serving block gets the serving report instead (reports/serving_report.hpp:
// index.html with latency CDFs and load-latency curves, summary.txt).
#include <fmt/format.h>

#include "app/pinned_run.hpp"
#include "app/plan_run.hpp"
#include "app/serving_report_run.hpp"
#include "cli/commands.hpp"
#include "reports/report_files.hpp"
#include "reports/serving_report.hpp"

namespace cirrus::cli {

Action add_report(CLI::App& app) {
  struct Options {
    std::string scenario;
    std::string out;
    int threads = 0;
    app::PlanRunOptions plan;
    app::JobOptions job;
    bool no_progress = false;
  };
  auto opt = std::make_shared<Options>();
  auto* sub = app.add_subcommand(
      "report", "write a report folder: index.html (charts), summary.md, candidates.csv");
  sub->add_option("scenario", opt->scenario, "scenario JSON file (pinned or with open choices)")
      ->required();
  sub->add_option("--out", opt->out, "the folder to write (created when missing)")->required();
  sub->add_option("-j,--jobs", opt->threads, "plan threads (default: all cores)")
      ->check(count_in("--jobs", 0, kMaxJobs));
  sub->add_option("--top", opt->plan.top, "candidates listed and charted (plan)")
      ->check(count_in("--top", 1, 100000));
  sub->add_option("--refine", opt->plan.refine, "candidates re-simulated with the engine (plan)")
      ->check(count_in("--refine", 0, 100000));
  sub->add_option("--catalog", opt->job.catalogs, "extra catalog files (plan)");
  add_public_profile_flag(*sub, opt->job.profiles);
  add_no_progress_flag(*sub, opt->no_progress);
  return [opt]() {
    auto scenario = scenarios::load_scenario(opt->scenario);
    if (scenario.serving) {
      const auto job = app::resolve_search(std::move(scenario), opt->job);
      const auto run = app::run_serving_report(*job, threads_of(opt->threads));
      reports::write_serving_report(run, opt->scenario, opt->out);
      fmt::print("{}/index.html: {} requests served, load-latency curve at {} loads\n", opt->out,
                 run.base.metrics.requests, run.load.size());
      return kExitOk;
    }
    const auto job = app::resolve(opt->scenario, opt->job);
    if (!job->input) {
      app::PlanRunOptions options = opt->plan;
      options.threads = threads_of(opt->threads);
      options.keep_pruned = true;
      const auto run = run_plan_with_progress(*job, options, !opt->no_progress);
      reports::write_plan_report(*job, *run, opt->out);
      fmt::print("{}/index.html: {} candidates evaluated, {} pruned\n", opt->out,
                 run->result.evaluated, run->result.infeasible);
      return run->result.best ? kExitOk : kExitInfeasible;
    }
    const app::PinnedRun run = app::run_pinned(*job);
    reports::write_pinned_report(*job, run.sim, opt->out);
    fmt::print("{}/index.html: one configuration{}\n", opt->out,
               run.sim.result.feasible ? "" : " (infeasible)");
    return run.sim.result.feasible ? kExitOk : kExitInfeasible;
  };
}

}  // namespace cirrus::cli
