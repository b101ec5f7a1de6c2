// `cirrus simulate SCENARIO`: one pinned configuration, printed as a table, JSON or CSV.
#include "cli/commands.hpp"
#include "common/input_error.hpp"
#include "models/simulate.hpp"
#include "reports/result_render.hpp"
#include "scenarios/step_input.hpp"

namespace cirrus::cli {

Action add_simulate(CLI::App& app) {
  struct Options {
    std::string scenario;
    std::string format = "table";
    std::string out;
  };
  auto opt = std::make_shared<Options>();
  auto* sub = app.add_subcommand("simulate", "simulate one training step of a pinned scenario");
  sub->add_option("scenario", opt->scenario, "scenario JSON file")->required();
  sub->add_option("--format", opt->format, "table, json or csv")
      ->check(CLI::IsMember({"table", "json", "csv"}));
  sub->add_option("-o,--out", opt->out, "write to this file (atomically) instead of stdout");
  return [opt]() {
    const scenarios::Scenario s = scenarios::load_scenario(opt->scenario);
    reports::ResultContext ctx;
    ctx.scenario = s.name;
    ctx.instance = scenarios::hardware_label(s);
    ctx.input = scenarios::pinned_input(s);
    const models::StepResult r = models::simulate_step(ctx.input);
    std::string text;
    if (opt->format == "json") {
      text = reports::render_json(ctx, r);
    } else if (opt->format == "csv") {
      text = reports::render_csv(ctx, r);
    } else {
      text = reports::render_table(ctx, r);
    }
    emit(text, opt->out);
    return r.feasible ? kExitOk : kExitInfeasible;
  };
}

}  // namespace cirrus::cli
