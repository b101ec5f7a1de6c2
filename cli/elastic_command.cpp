// `cirrus elastic SCENARIO [--format table|json]`: the scenario's run with the node count
// changing as its `elastic` block says (app/elastic_run.hpp), a phase per change and the totals
// (reports/elastic_render.hpp).
#include "app/elastic_run.hpp"
#include "cli/commands.hpp"
#include "reports/elastic_render.hpp"

namespace cirrus::cli {

Action add_elastic(CLI::App& app) {
  struct Options {
    std::string scenario;
    std::string format = "table";
    std::string out;
    app::JobOptions job;
  };
  auto opt = std::make_shared<Options>();
  auto* sub = app.add_subcommand(
      "elastic", "a run whose node count changes over time (the scenario's elastic block)");
  sub->add_option("scenario", opt->scenario, "scenario JSON file")->required();
  sub->add_option("--format", opt->format, "table or json")
      ->check(CLI::IsMember({"table", "json"}));
  sub->add_option("-o,--out", opt->out, "write to this file (atomically) instead of stdout");
  add_public_profile_flag(*sub, opt->job.profiles);
  return [opt]() {
    scenarios::Scenario s = scenarios::load_scenario(opt->scenario);
    app::check_elastic(s);
    const auto job = app::resolve_pinned(std::move(s), opt->job);
    const app::ElasticResult r = app::run_elastic(*job);
    emit(opt->format == "json" ? reports::render_elastic_json(r) : reports::render_elastic_table(r),
         opt->out);
    return r.run.completes ? kExitOk : kExitInfeasible;
  };
}

}  // namespace cirrus::cli
