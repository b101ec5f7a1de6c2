// `cirrus elastic SCENARIO [--format table|json]`: the scenario's run with the node count
// changing as its `elastic.schedule` says: a phase per change (nodes, dp, step time, tokens,
// hours, cost), the re-shard time at each change and the totals (models/systems/elastic_run.hpp).
// With `elastic.spot` the changes come from seeded spot interruptions (models/systems/elastic_spot.hpp)
// and the run is priced at the spot price beside the fixed-node run at the on-demand price.
#include <fmt/format.h>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/scenario_profile.hpp"
#include "common/input_error.hpp"
#include "models/systems/elastic_run.hpp"
#include "models/systems/elastic_spot.hpp"
#include "models/step/simulate.hpp"
#include "plan/instance_options.hpp"
#include "pricing/catalog.hpp"
#include "pricing/cost_model.hpp"
#include "reports/result_render.hpp"
#include "scenarios/step_input.hpp"

namespace cirrus::cli {

Action add_elastic(CLI::App& app) {
  struct Options {
    std::string scenario;
    std::string format = "table";
    std::string out;
    ProfileDefaults profiles;
  };
  auto opt = std::make_shared<Options>();
  auto* sub = app.add_subcommand(
      "elastic", "a run whose node count changes over time (the scenario's elastic block)");
  sub->add_option("scenario", opt->scenario, "scenario JSON file")->required();
  sub->add_option("--format", opt->format, "table or json")
      ->check(CLI::IsMember({"table", "json"}));
  sub->add_option("-o,--out", opt->out, "write to this file (atomically) instead of stdout");
  add_public_profile_flag(*sub, opt->profiles);
  return [opt]() {
    const scenarios::Scenario s = scenarios::load_scenario(opt->scenario);
    if (!s.elastic) {
      throw InputError(s.file, "elastic", "an elastic block with a schedule", "nothing");
    }
    if (s.training.tokens <= 0) {
      throw InputError(s.file, "training.tokens", "the run's tokens (an elastic run needs them)",
                       "nothing");
    }
    models::StepInput base = scenarios::pinned_input(s);
    base.profile = scenario_profile(s, base.cluster.node, opt->profiles);
    // Price per node-hour under the scenario's pricing model, when the catalogs have it.
    // A spot run is priced at the spot price, beside the fixed run at the on-demand price.
    const bool spot = s.elastic->spot.has_value();
    double usd = 0, on_demand_usd = 0;
    std::string price_note = "no instance price: costs are 0";
    if (!s.instance.values.empty() && !s.instance.open()) {
      const auto catalogs = pricing::load_catalogs(source_path("pricing/catalogs"), {});
      if (const pricing::Instance* inst = pricing::find_instance(catalogs, s.instance.value())) {
        const auto model = spot ? pricing::PricingModel::kSpot : s.pricing.model;
        if (auto p = inst->prices.get(model)) {
          usd = *p;
          price_note = fmt::format("{} at ${:.2f} per node-hour ({})", s.instance.value(), usd,
                                   pricing::to_string(model));
        }
        if (auto p = inst->prices.get(pricing::PricingModel::kOnDemand)) on_demand_usd = *p;
      }
    }
    models::ElasticSpec elastic = *s.elastic;
    std::string rate_note;
    if (spot && elastic.spot->per_node_hour < 0) {
      // No rate given: the catalog's default spot rate (pricing/cost_model.hpp).
      const pricing::Instance* inst = nullptr;
      std::vector<pricing::Catalog> catalogs;
      if (!s.instance.values.empty() && !s.instance.open()) {
        catalogs = pricing::load_catalogs(source_path("pricing/catalogs"), {});
        inst = pricing::find_instance(catalogs, s.instance.value());
      }
      if (!inst) {
        throw InputError(s.file, "elastic.spot.interruptions_per_node_hour",
                         "a rate (the default needs a cluster.instance in the catalogs)",
                         "nothing");
      }
      const pricing::RateDefault d = pricing::default_spot_interruption_rate(*inst);
      elastic.spot->per_node_hour = d.per_instance_hour;
      rate_note = d.source;
    }
    const models::StepFn simulate = [](const models::StepInput& in) {
      return models::simulate_step(in);
    };
    const models::ElasticRun run =
        spot ? models::spot_elastic_run(base, elastic, *elastic.spot, usd, simulate)
             : models::elastic_run(base, *s.elastic, usd, simulate);
    // The fixed-node run at the on-demand price: the spot run's comparison.
    std::optional<models::ElasticRun> fixed;
    if (spot) {
      models::ElasticSpec f = *s.elastic;
      f.spot.reset();
      f.schedule = {{0, base.cluster.nodes}};
      fixed = models::elastic_run(base, f, on_demand_usd, simulate);
    }
    std::string text;
    if (opt->format == "json") {
      nlohmann::json j;
      j["scenario"] = s.name;
      j["price"] = price_note;
      j["calibration"] = models::calibration_of(base.profile.get());
      nlohmann::json phases = nlohmann::json::array();
      for (const auto& p : run.phases) {
        phases.push_back({{"start_h", reports::round_sig(p.start_h)},
                          {"end_h", reports::round_sig(p.end_h)},
                          {"nodes", p.nodes},
                          {"dp", p.dp},
                          {"held", p.held},
                          {"feasible", p.feasible},
                          {"reason", p.reason},
                          {"step_time_s", reports::round_sig(p.step_time_s)},
                          {"reshard_s", reports::round_sig(p.reshard_s)},
                          {"tokens", reports::round_sig(p.tokens)},
                          {"usd", reports::round_sig(p.usd)}});
      }
      j["phases"] = phases;
      j["total"] = {{"tokens", reports::round_sig(run.tokens)},
                    {"hours", reports::round_sig(run.hours)},
                    {"reshard_hours", reports::round_sig(run.reshard_hours)},
                    {"usd", reports::round_sig(run.usd)},
                    {"completes", run.completes}};
      if (fixed) {
        j["spot"] = {{"interruptions_per_node_hour", elastic.spot->per_node_hour},
                     {"rate_source", rate_note.empty() ? "given" : rate_note},
                     {"replacement_hours", s.elastic->spot->replacement_hours},
                     {"seed", s.elastic->spot->seed}};
        j["fixed_on_demand"] = {{"hours", reports::round_sig(fixed->hours)},
                                {"usd", reports::round_sig(fixed->usd)},
                                {"usd_per_node_hour", on_demand_usd}};
      }
      text = j.dump(2) + "\n";
    } else {
      text = fmt::format("{}: elastic run of {:.3g} tokens; {}\n  calibration: {}\n\n", s.name,
                         s.training.tokens, price_note, models::calibration_of(base.profile.get()));
      text += fmt::format("  {:>9}  {:>9}  {:>6}  {:>5}  {:>10}  {:>10}  {:>12}  {:>9}  {:>12}\n",
                          "start h", "end h", "nodes", "dp", "step s", "reshard s", "tokens",
                          "hours", "USD");
      for (const auto& p : run.phases) {
        if (p.paused) {
          text += fmt::format("  {:>9.2f}  {:>9.2f}  {:>6}  {:>5}  paused ({} nodes held)  {:>9.2f}  {:>12.0f}\n",
                              p.start_h, p.end_h, p.nodes, p.dp, p.held, p.end_h - p.start_h, p.usd);
          continue;
        }
        if (!p.feasible) {
          text += fmt::format("  {:>9.2f}  {:>9.2f}  {:>6}  {:>5}  cannot run: {}\n", p.start_h,
                              p.end_h, p.nodes, p.dp, p.reason);
          continue;
        }
        text += fmt::format(
            "  {:>9.2f}  {:>9.2f}  {:>6}  {:>5}  {:>10.3f}  {:>10.0f}  {:>12.4g}  {:>9.2f}  "
            "{:>12.0f}\n",
            p.start_h, p.end_h,
            p.held > p.nodes ? fmt::format("{}/{}", p.nodes, p.held) : fmt::format("{}", p.nodes),
            p.dp, p.step_time_s, p.reshard_s, p.tokens,
            p.end_h - p.start_h, p.usd);
      }
      if (spot) text += "  (nodes training/held where spares cannot be used: all held are paid for)\n";
      text += fmt::format("\n  total: {:.4g} tokens in {:.2f} h ({:.2f} h re-sharding), ${:.0f}{}\n",
                          run.tokens, run.hours, run.reshard_hours, run.usd,
                          run.completes ? "" : fmt::format(" — does not complete: {}", run.reason));
      if (fixed) {
        const auto& sp = *elastic.spot;
        text += fmt::format(
            "  spot: {} interruptions per node-hour, replacement after {} h, seed {}; {} changes\n"
            "  fixed {} nodes on demand: {:.2f} h, ${:.0f}; spot run {:+.1f}% hours, {:+.1f}% cost\n",
            rate_note.empty() ? fmt::format("{:.3g}", sp.per_node_hour)
                              : fmt::format("{:.3g} ({})", sp.per_node_hour, rate_note),
            sp.replacement_hours, sp.seed, run.phases.size() - 1,
            base.cluster.nodes, fixed->hours, fixed->usd,
            fixed->hours > 0 ? (run.hours / fixed->hours - 1) * 100 : 0.0,
            fixed->usd > 0 ? (run.usd / fixed->usd - 1) * 100 : 0.0);
      }
    }
    emit(text, opt->out);
    return run.completes ? kExitOk : kExitInfeasible;
  };
}

}  // namespace cirrus::cli
