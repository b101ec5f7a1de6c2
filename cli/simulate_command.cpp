// `cirrus simulate SCENARIO`: one pinned configuration, printed as a table, JSON or CSV.
#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/residuals.hpp"
#include "cli/scenario_profile.hpp"
#include "common/atomic_write.hpp"
#include "common/input_error.hpp"
#include "models/systems/checkpoint.hpp"
#include "models/step/simulate.hpp"
#include "plan/instance_options.hpp"
#include "pricing/cost_model.hpp"
#include "reports/result_render.hpp"
#include "reports/trace_event.hpp"
#include "reports/uncertainty_render.hpp"
#include "scenarios/step_input.hpp"

namespace cirrus::cli {

Action add_simulate(CLI::App& app) {
  struct Options {
    std::string scenario;
    std::string format = "table";
    std::string out;
    std::string trace;
    std::string trace_detail = "passes";
    std::string report;
    ProfileDefaults profiles;
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
  add_public_profile_flag(*sub, opt->profiles);
  return [opt]() {
    const scenarios::Scenario s = scenarios::load_scenario(opt->scenario);
    reports::ResultContext ctx;
    ctx.scenario = s.name;
    ctx.instance = scenarios::hardware_label(s);
    ctx.input = scenarios::pinned_input(s);
    ctx.input.profile = scenario_profile(s, ctx.input.cluster.node, opt->profiles);
    const models::SimulationOutput sim = models::simulate_step_detailed(ctx.input);
    const models::StepResult& r = sim.result;
    ctx.uncertainty = reports::result_uncertainty(shipped_residuals().get(), ctx.input, r);
    if (!opt->trace.empty()) {
      if (r.feasible) {
        write_file_atomic(opt->trace, reports::render_trace(sim.graph, sim.run, s.name,
                                              reports::parse_trace_detail(opt->trace_detail)));
      } else {
        fmt::print(stderr, "cirrus: {}: no trace written: the configuration is infeasible\n",
                   s.file);
      }
    }
    if (!opt->report.empty()) write_pinned_report(s, ctx.input, sim, opt->report);
    // The `cost` object: the pinned instance under the scenario's pricing model, when the
    // catalogs have it and the step could run.
    std::optional<pricing::ContractCost> cost;
    if (r.feasible && !s.instance.values.empty() && !s.instance.open()) {
      const auto catalogs = pricing::load_catalogs(source_path("pricing/catalogs"), {});
      if (const pricing::Instance* inst = pricing::find_instance(catalogs, s.instance.value())) {
        const double tokens_per_step = static_cast<double>(ctx.input.training.global_batch) *
                                       static_cast<double>(ctx.input.model.seq_len);
        pricing::CostInput in = pricing::make_cost_input(
            *inst, ctx.input.cluster.nodes, r.step_time_s, tokens_per_step, s.training.tokens);
        in.checkpoint_bytes = models::checkpoint_bytes(ctx.input.model, ctx.input.training);
        const auto estimate = pricing::estimate_cost(in);
        cost = pricing::contract_cost(estimate, s.pricing.model, *inst);
      }
    }
    std::string text;
    if (opt->format == "json") {
      nlohmann::json j = reports::result_json(ctx, r);
      if (cost) {
        j["cost"] = {{"pricing", cost->pricing},
                     {"usd_per_hour", reports::round_sig(cost->usd_per_hour)},
                     {"usd_per_step", reports::round_sig(cost->usd_per_step)},
                     {"usd_total", reports::round_sig(cost->usd_total)},
                     {"usd_per_million_tokens", reports::round_sig(cost->usd_per_million_tokens)},
                     {"catalog", cost->catalog}};
      }
      reports::add_uncertainty_json(
          j, *ctx.uncertainty,
          {r.step_time_s, r.run ? std::optional<double>(r.run->days) : std::nullopt,
           cost ? std::optional<double>(cost->usd_total) : std::nullopt});
      text = j.dump(2) + "\n";
    } else if (opt->format == "csv") {
      text = reports::render_csv(ctx, r);
    } else {
      text = reports::render_table(ctx, r);
      if (cost) {
        const models::Uncertainty& u = *ctx.uncertainty;
        text += fmt::format(
            "\n  cost ({}): ${:.2f} per hour for the cluster, ${:.2f} per step, ${:.0f}{} for the "
            "run (${:.2f} per million tokens; catalog {}); see `cirrus price` for every pricing "
            "model\n",
            cost->pricing, cost->usd_per_hour, cost->usd_per_step, cost->usd_total,
            u.known ? fmt::format(" (${:.0f}-{:.0f} at 1 sigma)",
                                  models::band(cost->usd_total, u.sigma).low,
                                  models::band(cost->usd_total, u.sigma).high)
                    : "",
            cost->usd_per_million_tokens, cost->catalog);
      }
    }
    emit(text, opt->out);
    return r.feasible ? kExitOk : kExitInfeasible;
  };
}

}  // namespace cirrus::cli
