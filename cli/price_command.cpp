// `cirrus price SCENARIO`: simulates the scenario's step, looks its instance up in the catalogs
// and prints the cost of the whole run under every pricing model, with the sources and dates of
// the prices under the table. Spot is modeled (interruptions, Daly's checkpoint interval,
// restarts); `--monte-carlo N` replays the interruptions and reports the spread.
#include <fmt/format.h>
#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/residuals.hpp"
#include "cli/scenario_profile.hpp"
#include "common/input_error.hpp"
#include "models/systems/checkpoint.hpp"
#include "models/hardware/precision.hpp"
#include "models/step/simulate.hpp"
#include "pricing/catalog.hpp"
#include "pricing/cost_model.hpp"
#include "pricing/monte_carlo.hpp"
#include "reports/uncertainty_render.hpp"
#include "scenarios/step_input.hpp"

namespace cirrus::cli {
namespace {

struct Options {
  std::string scenario;
  std::string format = "table";
  std::string out;
  std::vector<std::string> catalogs;
  std::optional<double> interruption_rate;  // spot, per instance-hour
  std::optional<double> restart_s;
  std::optional<double> storage_gbps;      // per node, GB/s
  std::optional<double> storage_cap_gbps;  // aggregate, GB/s
  bool on_notice = false;
  double egress_gb = 0;
  std::optional<double> gpu_utilization;  // default: the simulated compute share of the step
  int monte_carlo = 0;
  std::uint64_t seed = 1;
  ProfileDefaults profiles;
};

std::string money(double usd) {
  if (!std::isfinite(usd)) return "never ends";
  if (usd >= 1e6) return fmt::format("{:.4g} M", usd / 1e6);
  if (usd >= 100) return fmt::format("{:.0f}", usd);
  if (usd >= 1) return fmt::format("{:.2f}", usd);
  return fmt::format("{:.4f}", usd);
}

std::string duration(double s) {
  if (!std::isfinite(s)) return "never";
  if (s >= 2 * 86400) return fmt::format("{:.1f} d", s / 86400);
  if (s >= 2 * 3600) return fmt::format("{:.1f} h", s / 3600);
  if (s >= 120) return fmt::format("{:.1f} min", s / 60);
  return fmt::format("{:.1f} s", s);
}

std::string pad_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width(rows.front().size(), 0);
  for (const auto& r : rows) {
    for (std::size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  }
  std::string out;
  for (const auto& r : rows) {
    std::string line;
    for (std::size_t i = 0; i < r.size(); ++i) {
      line +=
          i == 0 ? fmt::format("{:<{}}", r[i], width[i]) : fmt::format("{:>{}}", r[i], width[i]);
      line += "  ";
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

// Replays every pricing model that can be interrupted.
std::vector<std::pair<pricing::PricingModel, pricing::MonteCarloResult>> replay(
    const pricing::CostEstimate& e, const Options& opt) {
  std::vector<std::pair<pricing::PricingModel, pricing::MonteCarloResult>> out;
  if (opt.monte_carlo <= 0) return out;
  for (const pricing::PricingModel m : pricing::kPricingModels) {
    const auto& r = e.run(m);
    if (!r || !r->checkpoint.mtbi_s || !r->completes) continue;
    out.emplace_back(
        m, pricing::monte_carlo(pricing::monte_carlo_input(*r, e, opt.monte_carlo, opt.seed)));
  }
  return out;
}

nlohmann::ordered_json optional_number(const std::optional<double>& v) {
  return v && std::isfinite(*v) ? nlohmann::ordered_json(*v) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json finite(double v) {
  return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json spread_json(const pricing::Spread& s) {
  nlohmann::ordered_json j;
  j["mean"] = s.mean;
  j["stddev"] = s.stddev;
  j["std_error"] = s.std_error;
  j["p5"] = s.p5;
  j["p50"] = s.p50;
  j["p95"] = s.p95;
  return j;
}

struct PriceContext {
  std::string scenario_name;
  const pricing::Instance* instance = nullptr;
  pricing::PricingModel chosen = pricing::PricingModel::kOnDemand;
  int nodes = 0;
  int gpus = 0;
  double step_time_s = 0;
  std::vector<std::string> notes;
  std::string rate_source;
  // The step's error bars (models/step/uncertainty.hpp) and, when known, the run re-priced at the
  // band's ends: step x (1 - sigma) and step x (1 + sigma). Re-pricing (rather than scaling the
  // cost) keeps spot's checkpoint interval and lost work right at each end.
  models::Uncertainty uncertainty;
  std::optional<pricing::CostEstimate> at_low, at_high;
};

// [low, high] of a run figure of pricing model m over the band's ends; null when unknown.
template <typename Get>
nlohmann::ordered_json band_json(const PriceContext& ctx, pricing::PricingModel m, Get get) {
  if (!ctx.at_low || !ctx.at_high) return nullptr;
  const auto& lo = ctx.at_low->run(m);
  const auto& hi = ctx.at_high->run(m);
  if (!lo || !hi || !std::isfinite(get(*lo)) || !std::isfinite(get(*hi))) return nullptr;
  return nlohmann::ordered_json::array({get(*lo), get(*hi)});
}

std::string render_json(
    const PriceContext& ctx, const pricing::CostEstimate& e, const pricing::CostInput& in,
    const std::vector<std::pair<pricing::PricingModel, pricing::MonteCarloResult>>& mc) {
  using Json = nlohmann::ordered_json;
  const pricing::Instance& inst = *ctx.instance;
  Json j;
  j["cirrus"] = 1;
  j["scenario"] = ctx.scenario_name;
  j["instance"] = inst.id;
  j["region"] = inst.region;
  j["nodes"] = ctx.nodes;
  j["gpus"] = ctx.gpus;
  j["step_time_s"] = ctx.step_time_s;
  j["run"] = Json{{"tokens", e.tokens}, {"steps", e.steps}, {"work_s", e.work_s}};
  Json costs = Json::array();
  for (const pricing::PricingModel m : pricing::kPricingModels) {
    Json c;
    c["pricing"] = pricing::to_string(m);
    const auto& r = e.run(m);
    c["offered"] = r.has_value();
    const pricing::PriceSource src = inst.source_of(m);
    if (r) {
      c["usd_per_instance_hour"] = r->usd_per_instance_hour;
      c["usd_per_hour"] = r->usd_per_hour;
      c["usd_per_step"] = finite(r->usd_per_step);
      c["usd_total"] = finite(r->usd_total);
      c["usd_per_million_tokens"] = finite(r->usd_per_million_tokens);
      c["run_time_s"] = finite(r->run_time_s);
      c["days"] = finite(r->run_time_s / 86400);
      // The run at the step's 1-sigma band (additive; null when the error is unknown).
      c["usd_total_range"] =
          band_json(ctx, m, [](const pricing::RunCost& x) { return x.usd_total; });
      c["run_time_s_range"] =
          band_json(ctx, m, [](const pricing::RunCost& x) { return x.run_time_s; });
      c["completes"] = r->completes;
      c["interruptions_per_instance_hour"] = r->interruptions_per_instance_hour;
      c["expected_interruptions"] = r->expected_interruptions;
      c["checkpoint_overhead_s"] = r->checkpoint_overhead_s;
      c["lost_s"] = r->lost_s;
      Json cp;
      cp["write_s"] = r->checkpoint.write_s;
      cp["restart_s"] = r->checkpoint.restart_s;
      cp["mtbi_s"] = optional_number(r->checkpoint.mtbi_s);
      cp["interval_s"] = optional_number(r->checkpoint.interval_s);
      cp["interval_steps"] = optional_number(r->checkpoint.interval_steps);
      cp["daly_interval_s"] = optional_number(r->checkpoint.daly_interval_s);
      cp["young_interval_s"] = optional_number(r->checkpoint.young_interval_s);
      cp["on_notice"] = r->checkpoint.on_notice;
      c["checkpoint"] = cp;
      c["energy_kwh"] = optional_number(r->energy_kwh);
      c["source"] = src.source;
      c["retrieved"] = src.retrieved;
      c["verified"] = src.verified;
    }
    costs.push_back(c);
  }
  j["costs"] = costs;
  if (const auto cc = pricing::contract_cost(e, ctx.chosen, inst)) {
    j["cost"] = Json{{"pricing", cc->pricing},
                     {"usd_per_hour", cc->usd_per_hour},
                     {"usd_per_step", finite(cc->usd_per_step)},
                     {"usd_total", finite(cc->usd_total)},
                     {"usd_per_million_tokens", finite(cc->usd_per_million_tokens)},
                     {"catalog", cc->catalog}};
  } else {
    j["cost"] = nullptr;
  }
  {
    // As simulate's `uncertainty`, for the scenario's pricing model.
    const models::Uncertainty& u = ctx.uncertainty;
    Json o;
    o["sigma"] = u.known ? Json(u.sigma) : Json(nullptr);
    o["basis"] = u.basis;
    o["bias"] = u.known && u.bias ? Json(*u.bias) : Json(nullptr);
    o["rows"] = u.rows;
    o["wide"] = u.wide;
    o["factor"] = u.factor;
    o["step_time_s"] = u.known ? Json::array({models::band(ctx.step_time_s, u.sigma).low,
                                              models::band(ctx.step_time_s, u.sigma).high})
                               : Json(nullptr);
    o["run_days"] = band_json(ctx, ctx.chosen,
                              [](const pricing::RunCost& x) { return x.run_time_s / 86400; });
    o["usd_total"] =
        band_json(ctx, ctx.chosen, [](const pricing::RunCost& x) { return x.usd_total; });
    j["uncertainty"] = o;
  }
  j["checkpoint_bytes"] = in.checkpoint_bytes;
  j["storage"] = Json{{"checkpoint_gb", e.checkpoint_gb},
                      {"usd_per_month", e.storage_per_month.usd},
                      {"usd_run", e.storage_usd_run},
                      {"source", e.storage_per_month.source},
                      {"verified", e.storage_per_month.verified}};
  if (e.egress) {
    j["egress"] = Json{{"gb", in.egress_gb},
                       {"usd", e.egress->usd},
                       {"source", e.egress->source},
                       {"verified", e.egress->verified}};
  } else {
    j["egress"] = nullptr;
  }
  Json mc_json = Json::array();
  for (const auto& [m, r] : mc) {
    Json one;
    one["pricing"] = pricing::to_string(m);
    one["trials"] = r.trials;
    one["seed"] = r.seed;
    one["completed"] = r.completed;
    one["analytic_run_time_s"] = finite(r.analytic_run_time_s);
    if (r.completed) {
      one["run_time_s"] = spread_json(r.run_time_s);
      one["cost_usd"] = spread_json(r.cost_usd);
      one["interruptions"] = spread_json(r.interruptions);
    }
    mc_json.push_back(one);
  }
  j["monte_carlo"] = mc_json;
  Json assumptions = Json::array();
  for (const auto& a : e.assumptions) assumptions.push_back(a);
  if (!ctx.rate_source.empty()) assumptions.push_back(ctx.rate_source);
  for (const auto& n : ctx.notes) assumptions.push_back(n);
  j["assumptions"] = assumptions;
  return j.dump(2) + "\n";
}

std::string render_table(
    const PriceContext& ctx, const pricing::CostEstimate& e, const pricing::CostInput& in,
    const std::vector<std::pair<pricing::PricingModel, pricing::MonteCarloResult>>& mc) {
  const pricing::Instance& inst = *ctx.instance;
  std::string out = fmt::format("{}\n", ctx.scenario_name);
  out += fmt::format("{} x {} ({} GPUs), {}; step {:.4g} s", inst.id, ctx.nodes, ctx.gpus,
                     inst.region, ctx.step_time_s);
  if (e.steps > 0) {
    out += fmt::format(", {:.0f} steps, {:.3g} tokens, {} of work", e.steps, e.tokens,
                       duration(e.work_s));
  }
  out += "\n\n";
  const bool ranges = ctx.at_low && ctx.at_high && e.steps > 0;
  std::vector<std::vector<std::string>> rows = {{"pricing", "$/h", "$/step", "run $", "$/M tokens",
                                                 "run time", "interruptions", "checkpoint every"}};
  if (ranges) rows.front().insert(rows.front().begin() + 4, "run $ (1 sigma)");
  for (const pricing::PricingModel m : pricing::kPricingModels) {
    const auto& r = e.run(m);
    std::string name = pricing::to_string(m);
    if (m == ctx.chosen) name += " *";
    if (!r) {
      rows.push_back({name, "not offered", "", "", "", "", "", ""});
      if (ranges) rows.back().push_back("");
      continue;
    }
    std::string every = "-";
    if (r->checkpoint.on_notice) {
      every = "on notice";
    } else if (r->checkpoint.interval_s) {
      every = fmt::format("{:.0f} steps ({}; Young {})", r->checkpoint.interval_steps.value_or(0),
                          duration(*r->checkpoint.interval_s),
                          duration(r->checkpoint.young_interval_s.value_or(0)));
    }
    rows.push_back({name, money(r->usd_per_hour), money(r->usd_per_step),
                    e.steps > 0 ? money(r->usd_total) : "-", money(r->usd_per_million_tokens),
                    e.steps > 0 ? duration(r->run_time_s) : "-",
                    r->checkpoint.mtbi_s ? fmt::format("{:.1f}", r->expected_interruptions) : "-",
                    every});
    if (ranges) {
      const auto& lo = ctx.at_low->run(m);
      const auto& hi = ctx.at_high->run(m);
      rows.back().insert(rows.back().begin() + 4,
                         lo && hi ? money(lo->usd_total) + " - " + money(hi->usd_total) : "-");
    }
  }
  out += pad_table(rows);
  out += fmt::format(
      "* the scenario's pricing model\n\nprices: USD per instance-hour x {} "
      "instances, {} catalog, region {}\n",
      ctx.nodes, inst.provider, inst.region);
  for (const pricing::PricingModel m : pricing::kPricingModels) {
    if (!inst.prices.get(m)) continue;
    const pricing::PriceSource s = inst.source_of(m);
    out += fmt::format("  {:<13} {} USD/h: {}, retrieved {}{}\n", pricing::to_string(m),
                       *inst.prices.get(m), s.source, s.retrieved,
                       s.verified ? "" : " (recalled, unverified)");
  }
  if (!inst.note.empty()) out += fmt::format("  note: {}\n", inst.note);
  {
    const models::Uncertainty& u = ctx.uncertainty;
    out += u.known ? fmt::format("\nerror bars: step {:.4g} s {} ({}); the run re-priced at step "
                                 "x (1 -/+ sigma){}\n",
                                 ctx.step_time_s, models::sigma_text(u.sigma), u.basis,
                                 u.bias ? fmt::format("; median error of those runs {:+.3g}%, not "
                                                      "corrected",
                                                      100.0 * *u.bias)
                                        : "")
                   : fmt::format("\nerror bars: {}\n", u.basis);
  }
  out += "\nassumptions:\n";
  if (!ctx.rate_source.empty()) out += fmt::format("  spot interruptions: {}\n", ctx.rate_source);
  for (const auto& a : e.assumptions) out += fmt::format("  {}\n", a);
  if (const auto& spot = e.run(pricing::PricingModel::kSpot); spot && spot->checkpoint.mtbi_s) {
    out += fmt::format(
        "  the job stops when any of its {} instances is interrupted: every {} on "
        "average; interval by Daly (2006), expected time by Daly's formula\n",
        ctx.nodes, duration(*spot->checkpoint.mtbi_s));
  }
  out += fmt::format(
      "  checkpoint storage: {:.4g} GB kept, {}/month ({}){}\n", e.checkpoint_gb,
      money(e.storage_per_month.usd), e.storage_per_month.source,
      e.steps > 0 ? fmt::format(", {} over the run", money(e.storage_usd_run)) : std::string());
  if (e.egress) {
    out += fmt::format("  egress: {:.4g} GB, {} ({})\n", in.egress_gb, money(e.egress->usd),
                       e.egress->source);
  } else if (in.egress_gb > 0) {
    out += fmt::format("  egress: {:.4g} GB, no egress price known for {}\n", in.egress_gb,
                       inst.provider);
  }
  if (const auto& od = e.run(ctx.chosen); od && od->energy_kwh && e.steps > 0) {
    out += fmt::format("  energy ({}): {:.4g} kWh at GPU TDP x {:.2f}\n",
                       pricing::to_string(ctx.chosen), *od->energy_kwh, in.gpu_utilization);
  }
  for (const auto& n : ctx.notes) out += fmt::format("  {}\n", n);
  for (const auto& [m, r] : mc) {
    if (!r.completed) {
      out += fmt::format("\nmonte carlo ({}): interruptions outpace the job, it never ends\n",
                         pricing::to_string(m));
      continue;
    }
    out += fmt::format(
        "\nmonte carlo ({}, {} trials, seed {}): run time mean {} (analytic {}), stddev {}, "
        "p5 {}, p50 {}, p95 {}; cost mean {} +- {} (p95 {}); interruptions mean {:.1f}\n",
        pricing::to_string(m), r.trials, r.seed, duration(r.run_time_s.mean),
        duration(r.analytic_run_time_s), duration(r.run_time_s.stddev), duration(r.run_time_s.p5),
        duration(r.run_time_s.p50), duration(r.run_time_s.p95), money(r.cost_usd.mean),
        money(r.cost_usd.stddev), money(r.cost_usd.p95), r.interruptions.mean);
  }
  return out;
}

}  // namespace

Action add_price(CLI::App& app) {
  auto opt = std::make_shared<Options>();
  auto* sub = app.add_subcommand("price", "cost of one configuration under each pricing model");
  sub->add_option("scenario", opt->scenario, "scenario JSON file (cluster.instance pinned)")
      ->required();
  sub->add_option("--format", opt->format, "table or json")
      ->check(CLI::IsMember({"table", "json"}));
  sub->add_option("-o,--out", opt->out, "write to this file (atomically) instead of stdout");
  sub->add_option("--catalog", opt->catalogs, "also read these catalog files (imported ones)");
  sub->add_option("--interruption-rate", opt->interruption_rate,
                  "spot interruptions per instance-hour (default: from the AWS advisor buckets)")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--restart-s", opt->restart_s,
                  "seconds to relaunch after an interruption, before the reload (default 600)")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--storage-gbps", opt->storage_gbps,
                  "checkpoint write bandwidth per node, GB/s (default 1.2)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--storage-cap-gbps", opt->storage_cap_gbps,
                  "aggregate limit of the checkpoint storage, GB/s (default none)")
      ->check(CLI::PositiveNumber);
  sub->add_flag("--checkpoint-on-notice", opt->on_notice,
                "write the checkpoint within the interruption notice when it fits");
  sub->add_option("--egress-gb", opt->egress_gb, "data leaving the cloud during the run, GB")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--gpu-utilization", opt->gpu_utilization,
                  "average fraction of TDP drawn, for energy (default: the simulated compute "
                  "share of the step, a lower bound; 1 gives the upper bound)")
      ->check(CLI::Range(0.0, 1.0));
  sub->add_option("--monte-carlo", opt->monte_carlo, "replay interruptions N times")
      ->check(CLI::Range(0, 1000000));
  sub->add_option("--seed", opt->seed, "seed of the Monte-Carlo replay (default 1)");
  add_public_profile_flag(*sub, opt->profiles);

  return [opt]() {
    const scenarios::Scenario s = scenarios::load_scenario(opt->scenario);
    if (s.instance.values.empty() && !s.instance.is_auto) {
      throw InputError(s.file, "cluster.instance",
                       "a catalog instance to price (\"provider:name\", see `cirrus catalog list`)",
                       "nothing");
    }
    if (s.instance.open()) {
      throw InputError(s.file, "cluster.instance",
                       "one instance (`price` prices a pinned configuration; `plan` searches)",
                       s.instance.is_auto ? "\"auto\"" : "a list");
    }
    const auto catalogs = pricing::load_catalogs(source_path("pricing/catalogs"), opt->catalogs);
    const pricing::Instance& inst =
        pricing::lookup_instance(catalogs, s.instance.value(), s.file, "cluster.instance");

    models::StepInput input = scenarios::pinned_input(s);
    input.profile = scenario_profile(s, input.cluster.node, opt->profiles);
    const models::StepResult result = models::simulate_step(input);
    if (!result.feasible) {
      fmt::print(stderr, "cirrus: {}: the configuration is infeasible: {}\n", s.file,
                 result.infeasible_reason);
      return kExitInfeasible;
    }

    PriceContext ctx;
    ctx.scenario_name = s.name;
    ctx.instance = &inst;
    ctx.chosen = s.pricing.model;
    ctx.nodes = input.cluster.nodes;
    ctx.gpus = input.cluster.gpus();
    ctx.step_time_s = result.step_time_s;
    if (!s.pricing.region.empty() && s.pricing.region != inst.region && inst.region != "any") {
      ctx.notes.push_back(
          fmt::format("the scenario asks for region {}; the catalog's prices are "
                      "for {}",
                      s.pricing.region, inst.region));
    }
    if (s.training.tokens <= 0) {
      ctx.notes.push_back("training.tokens not given: priced per hour and per step only");
    }
    if (inst.gpus && *inst.gpus != input.cluster.node.gpus) {
      ctx.notes.push_back(
          fmt::format("the catalog gives {} GPUs per instance; the simulated node "
                      "has {}",
                      *inst.gpus, input.cluster.node.gpus));
    }

    const double tokens_per_step =
        static_cast<double>(input.training.global_batch) * static_cast<double>(input.model.seq_len);
    pricing::CostInput in = pricing::make_cost_input(inst, input.cluster.nodes, result.step_time_s,
                                                     tokens_per_step, s.training.tokens);
    in.gpus_per_node = input.cluster.node.gpus;
    in.gpu_tdp_w = input.cluster.node.gpu.tdp_w;
    if (opt->gpu_utilization) {
      in.gpu_utilization = *opt->gpu_utilization;
      in.gpu_utilization_source = "--gpu-utilization";
    } else {
      // The GPU computes (compute, recomputation, optimizer) for this share of the simulated
      // step; communication, bubbles and offload waits are counted as drawing nothing.
      const auto& b = result.breakdown;
      in.gpu_utilization =
          result.step_time_s > 0
              ? std::clamp((b.compute + b.recompute + b.optimizer) / result.step_time_s, 0.0, 1.0)
              : 1.0;
      in.gpu_utilization_source =
          "the simulated compute share of the step; communication, bubbles and waits counted as "
          "drawing nothing: a lower bound, --gpu-utilization 1 gives the upper bound";
    }
    in.checkpoint_bytes = models::checkpoint_bytes(input.model, input.training);
    in.checkpoint_on_notice = opt->on_notice;
    in.egress_gb = opt->egress_gb;
    if (opt->restart_s) in.restart_s = *opt->restart_s;
    if (opt->storage_gbps) in.node_storage_bps = *opt->storage_gbps * 1e9;
    if (opt->storage_cap_gbps) in.storage_cap_bps = *opt->storage_cap_gbps * 1e9;
    const std::size_t spot = pricing::index_of(pricing::PricingModel::kSpot);
    if (opt->interruption_rate) {
      in.interruptions_per_instance_hour[spot] = *opt->interruption_rate;
      ctx.rate_source =
          fmt::format("{:.3g} per instance-hour (--interruption-rate)", *opt->interruption_rate);
    } else {
      ctx.rate_source = pricing::default_spot_interruption_rate(inst).source;
    }
    const pricing::CostEstimate e = pricing::estimate_cost(in);
    ctx.uncertainty = reports::result_uncertainty(shipped_residuals().get(), input, result);
    if (ctx.uncertainty.known) {
      const models::Range step = models::band(result.step_time_s, ctx.uncertainty.sigma);
      if (step.low > 0) {
        pricing::CostInput at = in;
        at.step_time_s = step.low;
        ctx.at_low = pricing::estimate_cost(at);
        at.step_time_s = step.high;
        ctx.at_high = pricing::estimate_cost(at);
      }
    }
    const auto mc = replay(e, *opt);
    emit(opt->format == "json" ? render_json(ctx, e, in, mc) : render_table(ctx, e, in, mc),
         opt->out);
    return kExitOk;
  };
}

}  // namespace cirrus::cli
