// `cirrus plan SCENARIO`: searches the scenario's open choices (instances, node counts,
// strategy fields: app/plan_run.hpp) and prints the best configuration, the Pareto frontier and
// the top K (reports/plan_render.hpp); with --emit, the best as a launchable file instead.
#include <fmt/format.h>

#include <string>

#include "app/plan_run.hpp"
#include "cli/commands.hpp"
#include "common/progress.hpp"
#include "reports/plan_render.hpp"
#include "reports/report_files.hpp"

namespace cirrus::cli {

std::unique_ptr<const app::PlanRun> run_plan_with_progress(const app::Job& job,
                                                           app::PlanRunOptions options,
                                                           bool show_progress) {
  ProgressBar bar(show_progress);
  if (bar.drawing()) {
    options.progress = [&bar](const std::string& stage, double f) { bar.update(stage, f); };
  }
  return app::run_plan(job, options);
}

Action add_plan(CLI::App& app) {
  struct Options {
    std::string scenario;
    std::string format = "table";
    std::string out;
    int threads = 0;
    app::PlanRunOptions plan;
    std::string report;
    std::string emit;
    app::JobOptions job;
    bool no_progress = false;
  };
  auto opt = std::make_shared<Options>();
  auto* sub = app.add_subcommand("plan", "search instances, node counts and strategies");
  sub->add_option("scenario", opt->scenario, "scenario JSON file with open choices")->required();
  sub->add_option("--format", opt->format, "table, json or csv")
      ->check(CLI::IsMember({"table", "json", "csv"}));
  sub->add_option("-o,--out", opt->out, "write to this file (atomically) instead of stdout");
  sub->add_option("-j,--jobs", opt->threads, "threads (default: all cores); output is identical")
      ->check(count_in("--jobs", 0, kMaxJobs));
  sub->add_option("--top", opt->plan.top, "how many of the best to list")
      ->check(count_in("--top", 1, 100000));
  sub->add_option("--refine", opt->plan.refine,
                  "how many of the best to re-simulate with the engine (default 8)")
      ->check(count_in("--refine", 0, 100000));
  sub->add_option("--catalog", opt->job.catalogs,
                  "extra catalog files (cirrus catalog format), searched before the shipped ones");
  sub->add_option("--report", opt->report,
                  "also write a report folder: index.html, summary.md, candidates.csv");
  add_emit_option(*sub, opt->emit);
  add_no_progress_flag(*sub, opt->no_progress);
  add_public_profile_flag(*sub, opt->job.profiles);
  return [opt, sub]() {
    check_emit_format(opt->emit, opt->format);
    const auto job = app::resolve_search(scenarios::load_scenario(opt->scenario), opt->job);
    if (job->scenario.serving) {
      if (!opt->report.empty() || !opt->emit.empty() || opt->format == "csv" ||
          sub->count("--top") > 0 || sub->count("--refine") > 0) {
        throw UsageError(
            "plan: a scenario with a serving block takes --format table or json, -o and -j "
            "(serving.plan's top and seeds set what --top and --refine set for training)");
      }
      return plan_serving(*job, threads_of(opt->threads), opt->format, opt->out);
    }
    app::PlanRunOptions options = opt->plan;
    options.threads = threads_of(opt->threads);
    options.keep_pruned = !opt->report.empty();
    const auto run = run_plan_with_progress(*job, options, !opt->no_progress);
    if (!opt->report.empty()) reports::write_plan_report(*job, *run, opt->report);
    if (!opt->emit.empty()) {
      std::string why;
      const auto config = reports::emit_config(*job, *run, why);
      return emit_configuration(config, why, opt->emit, job->scenario.file, opt->out);
    }
    emit(reports::render_plan(*job, *run, opt->format), opt->out);
    return run->result.best ? kExitOk : kExitInfeasible;
  };
}

}  // namespace cirrus::cli
