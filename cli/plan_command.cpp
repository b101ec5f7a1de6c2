// `cirrus plan SCENARIO`: searches the scenario's open choices (instances, node counts,
// strategy fields) and prints the best configuration, the Pareto frontier and the top K.
#include <fmt/format.h>
#include <unistd.h>
#include <algorithm>
#include <cstdio>
#include <thread>

#include "cli/commands.hpp"
#include "cli/residuals.hpp"
#include "cli/scenario_profile.hpp"
#include "common/input_error.hpp"
#include "plan/instance_options.hpp"
#include "plan/planner.hpp"
#include "pricing/catalog.hpp"
#include "reports/plan_render.hpp"
#include "scenarios/scenario.hpp"

namespace cirrus::cli {

std::unique_ptr<PlanRun> run_plan_command(const scenarios::Scenario& s, const PlanArgs& args) {
  auto run = std::make_unique<PlanRun>();
  for (const auto& f : args.catalogs) run->catalogs.push_back(pricing::read_catalog(f));
  for (auto& c : pricing::read_catalog_dir(source_path("pricing/catalogs"))) {
    run->catalogs.push_back(std::move(c));
  }
  run->resolved = plan::resolve_instances(s, run->catalogs);
  run->space = plan::build_search_space(s, run->resolved.options);
  attach_scenario_profile(s, run->space, args.profiles);
  plan::PlanOptions po;
  po.threads = args.threads > 0
                   ? args.threads
                   : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  po.top = args.top;
  po.refine = args.refine;
  po.keep_pruned = args.keep_pruned;
  po.economics = plan::catalog_economics(s, run->resolved);
  const bool bar = ::isatty(STDERR_FILENO) != 0;
  if (bar) {
    po.progress = [](double f) {
      const int width = 40;
      const int filled = static_cast<int>(f * width);
      fmt::print(stderr, "\r  searching [{}{}] {:3.0f}%", std::string(filled, '#'),
                 std::string(width - filled, ' '), f * 100);
      std::fflush(stderr);
    };
  }
  run->result = plan::run_plan(s, run->space, po);
  if (bar) fmt::print(stderr, "\r{:60}\r", "");
  return run;
}

Action add_plan(CLI::App& app) {
  struct Options {
    std::string scenario;
    std::string format = "table";
    std::string out;
    int threads = 0;
    int top = 10;
    int refine = 8;
    std::vector<std::string> catalogs;
    std::string report;
    ProfileDefaults profiles;
  };
  auto opt = std::make_shared<Options>();
  auto* sub = app.add_subcommand("plan", "search instances, node counts and strategies");
  sub->add_option("scenario", opt->scenario, "scenario JSON file with open choices")->required();
  sub->add_option("--format", opt->format, "table, json or csv")
      ->check(CLI::IsMember({"table", "json", "csv"}));
  sub->add_option("-o,--out", opt->out, "write to this file (atomically) instead of stdout");
  sub->add_option("-j,--jobs", opt->threads, "threads (default: all cores); output is identical")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--top", opt->top, "how many of the best to list")->check(CLI::PositiveNumber);
  sub->add_option("--refine", opt->refine,
                  "how many of the best to re-simulate with the engine (default 8)")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--catalog", opt->catalogs,
                  "extra catalog files (cirrus catalog format), searched before the shipped ones");
  sub->add_option("--report", opt->report,
                  "also write a report folder: index.html, summary.md, candidates.csv");
  add_public_profile_flag(*sub, opt->profiles);
  return [opt]() {
    const scenarios::Scenario s = scenarios::load_scenario(opt->scenario);
    PlanArgs args;
    args.threads = opt->threads;
    args.top = opt->top;
    args.refine = opt->refine;
    args.catalogs = opt->catalogs;
    args.keep_pruned = !opt->report.empty();
    args.profiles = opt->profiles;
    const auto run = run_plan_command(s, args);
    const plan::SearchSpace& space = run->space;
    const plan::PlanResult& result = run->result;
    if (!opt->report.empty()) write_plan_report(s, *run, opt->report);
    reports::PlanView view{&s, &space, &result, pricing::to_string(s.pricing.model),
                           shipped_residuals()};
    std::string text;
    if (opt->format == "json") {
      text = reports::render_plan_json(view);
    } else if (opt->format == "csv") {
      text = reports::render_plan_csv(view);
    } else {
      text = reports::render_plan_table(view);
    }
    emit(text, opt->out);
    return result.best ? kExitOk : kExitInfeasible;
  };
}

}  // namespace cirrus::cli
