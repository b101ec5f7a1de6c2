// `cirrus simulate SCENARIO`: one pinned configuration (app/pinned_run.hpp), printed as a table,
// JSON or CSV (reports/pinned_render.hpp), with a trace and a report folder on request; with
// --emit, the configuration as a launchable file instead (cli/emit_option.cpp).
#include <fmt/format.h>

#include "app/pinned_run.hpp"
#include "cli/commands.hpp"
#include "common/atomic_write.hpp"
#include "reports/pinned_render.hpp"
#include "reports/report_files.hpp"
#include "reports/trace_event.hpp"

namespace cirrus::cli {

Action add_simulate(CLI::App& app) {
  struct Options {
    std::string scenario;
    std::string format = "table";
    std::string out;
    std::string trace;
    std::string trace_detail = "passes";
    std::string report;
    std::string emit;
    app::JobOptions job;
  };
  auto opt = std::make_shared<Options>();
  auto* sub = app.add_subcommand("simulate", "simulate one training step of a pinned scenario");
  sub->add_option("scenario", opt->scenario, "scenario JSON file")->required();
  sub->add_option("--format", opt->format, "table, json or csv")
      ->check(CLI::IsMember({"table", "json", "csv"}));
  sub->add_option("-o,--out", opt->out, "write to this file (atomically) instead of stdout");
  sub->add_option("--trace", opt->trace,
                  "write a Chrome trace-event file of one step (opens in Perfetto)");
  sub->add_option("--trace-detail", opt->trace_detail,
                  "passes (default: one block per pass and stream, a few MB) or kernels (every "
                  "kernel and collective, tens of MB for a large pipeline)")
      ->check(CLI::IsMember({"passes", "kernels"}));
  sub->add_option("--report", opt->report,
                  "also write a report folder: index.html, summary.md, candidates.csv");
  add_emit_option(*sub, opt->emit);
  add_public_profile_flag(*sub, opt->job.profiles);
  return [opt]() {
    check_emit_format(opt->emit, opt->format);
    check_distinct_outputs({{"--out", opt->out}, {"--trace", opt->trace}});
    const auto job = app::resolve_pinned(scenarios::load_scenario(opt->scenario), opt->job);
    const app::PinnedRun run = app::run_pinned(*job);
    const bool feasible = run.sim.result.feasible;
    if (!opt->trace.empty()) {
      if (feasible) {
        write_file_atomic(opt->trace,
                          reports::render_trace(run.sim.graph, run.sim.run, job->scenario.name,
                                                reports::parse_trace_detail(opt->trace_detail)));
      } else {
        fmt::print(stderr, "cirrus: {}: no trace written: the configuration is infeasible\n",
                   job->scenario.file);
      }
    }
    if (!opt->report.empty()) reports::write_pinned_report(*job, run.sim, opt->report);
    if (!opt->emit.empty()) {
      std::string why;
      const auto config = reports::emit_config(*job, run, why);
      return emit_configuration(config, why, opt->emit, job->scenario.file, opt->out);
    }
    emit(reports::render_pinned(*job, run, opt->format), opt->out);
    return feasible ? kExitOk : kExitInfeasible;
  };
}

}  // namespace cirrus::cli
