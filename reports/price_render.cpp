#include "reports/price_render.hpp"

#include <fmt/format.h>
#include <cmath>
#include <nlohmann/json.hpp>

#include "models/step/uncertainty.hpp"
#include "reports/report_format.hpp"

namespace cirrus::reports {
namespace {

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

// [low, high] of a run figure of pricing model m over the band's ends; null when unknown.
template <typename Get>
nlohmann::ordered_json band_json(const app::PriceRun& ctx, pricing::PricingModel m, Get get) {
  if (!ctx.at_low || !ctx.at_high) return nullptr;
  const auto& lo = ctx.at_low->run(m);
  const auto& hi = ctx.at_high->run(m);
  if (!lo || !hi || !std::isfinite(get(*lo)) || !std::isfinite(get(*hi))) return nullptr;
  return nlohmann::ordered_json::array({get(*lo), get(*hi)});
}

}  // namespace

std::string render_price_json(const app::PriceRun& ctx) {
  const pricing::CostEstimate& e = ctx.estimate;
  const pricing::CostInput& in = ctx.input;
  const auto& mc = ctx.monte_carlo;
  using Json = nlohmann::ordered_json;
  const pricing::Instance& inst = *ctx.instance;
  Json j;
  j["cirrus"] = 1;
  j["scenario"] = ctx.scenario_name;
  j["instance"] = inst.id;
  j["region"] = inst.region;
  j["nodes"] = ctx.nodes;
  j["gpus"] = ctx.gpus;
  j["step_time_s"] = ctx.step.step_time_s;
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
      if (pricing::is_capacity_product(m)) {
        // How the product bills the run (added): a capacity block's length and the
        // instance-hours it leaves unused; flex-start's own hours.
        c["billing"] = r->billing;
        c["billed_hours"] = e.steps > 0
                                ? Json(r->term_hours > 0 ? r->term_hours : r->run_time_s / 3600)
                                : Json(nullptr);
        c["billed_instances"] = m == pricing::PricingModel::kCapacityBlock
                                    ? Json(r->billed_instances)
                                    : Json(ctx.nodes);
        c["unused_hours"] = e.steps > 0 ? Json(r->unused_instance_hours) : Json(nullptr);
        c["unused_usd"] = e.steps > 0 ? Json(r->unused_term_usd) : Json(nullptr);
      }
    } else if (const auto& why = e.why_unavailable(m)) {
      c["why"] = why->detail;  // a capacity product: not sold, no price, or out of its terms
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
    o["step_time_s"] = u.known ? Json::array({models::band(ctx.step.step_time_s, u.sigma).low,
                                              models::band(ctx.step.step_time_s, u.sigma).high})
                               : Json(nullptr);
    o["run_days"] =
        band_json(ctx, ctx.chosen, [](const pricing::RunCost& x) { return x.run_time_s / 86400; });
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

std::string render_price_table(const app::PriceRun& ctx) {
  const pricing::CostEstimate& e = ctx.estimate;
  const pricing::CostInput& in = ctx.input;
  const auto& mc = ctx.monte_carlo;
  const pricing::Instance& inst = *ctx.instance;
  std::string out = fmt::format("{}\n", ctx.scenario_name);
  out += fmt::format("{} x {} ({} GPUs), {}; step {:.4g} s", inst.id, ctx.nodes, ctx.gpus,
                     inst.region, ctx.step.step_time_s);
  if (e.steps > 0) {
    out += fmt::format(", {} steps, {} tokens, {} of work", format::count(e.steps),
                       format::tokens(e.tokens), format::duration(e.work_s));
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
      const auto& why = e.why_unavailable(m);
      rows.push_back({name, why ? why->label : "not offered", "", "", "", "", "", ""});
      if (ranges) rows.back().push_back("");
      continue;
    }
    std::string every = "-";
    if (r->checkpoint.on_notice) {
      every = "on notice";
    } else if (r->checkpoint.interval_s) {
      every = fmt::format("{:.0f} steps ({}; Young {})", r->checkpoint.interval_steps.value_or(0),
                          format::duration(*r->checkpoint.interval_s),
                          format::duration(r->checkpoint.young_interval_s.value_or(0)));
    }
    rows.push_back(
        {name, format::usd(r->usd_per_hour), format::usd(r->usd_per_step),
         e.steps > 0 ? format::usd(r->usd_total) : "-", format::usd(r->usd_per_million_tokens),
         e.steps > 0 ? format::duration(r->run_time_s) : "-",
         r->checkpoint.mtbi_s ? fmt::format("{:.1f}", r->expected_interruptions) : "-", every});
    if (ranges) {
      const auto& lo = ctx.at_low->run(m);
      const auto& hi = ctx.at_high->run(m);
      rows.back().insert(
          rows.back().begin() + 4,
          lo && hi ? format::usd(lo->usd_total) + " - " + format::usd(hi->usd_total) : "-");
    }
  }
  out += format::pad_table(rows);
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
    out += u.known ? fmt::format(
                         "\nerror bars: step {:.4g} s {} ({}); the run re-priced at step "
                         "x (1 -/+ sigma){}\n",
                         ctx.step.step_time_s, models::sigma_text(u.sigma), u.basis,
                         u.bias ? fmt::format("; median error of those runs {:+.3g}%, not "
                                              "corrected",
                                              100.0 * *u.bias)
                                : "")
                   : fmt::format("\nerror bars: {}\n", u.basis);
  }
  // The capacity products: how each bills the run, or why it gives no price.
  std::string capacity;
  for (const pricing::PricingModel m : pricing::kPricingModels) {
    if (const auto& r = e.run(m); r && !r->billing.empty()) {
      capacity += fmt::format("  {:<14} {}\n", pricing::to_string(m), r->billing);
    } else if (const auto& why = e.why_unavailable(m)) {
      capacity += fmt::format("  {:<14} {}: {}\n", pricing::to_string(m), why->label, why->detail);
    }
  }
  if (!capacity.empty()) out += "\ncapacity products:\n" + capacity;
  out += "\nassumptions:\n";
  if (!ctx.rate_source.empty()) out += fmt::format("  spot interruptions: {}\n", ctx.rate_source);
  for (const auto& a : e.assumptions) out += fmt::format("  {}\n", a);
  if (const auto& spot = e.run(pricing::PricingModel::kSpot); spot && spot->checkpoint.mtbi_s) {
    out += fmt::format(
        "  the job stops when any of its {} instances is interrupted: every {} on "
        "average; interval by Daly (2006), expected time by Daly's formula\n",
        ctx.nodes, format::duration(*spot->checkpoint.mtbi_s));
  }
  out += fmt::format("  checkpoint storage: {:.4g} GB kept, {}/month ({}){}\n", e.checkpoint_gb,
                     format::usd(e.storage_per_month.usd), e.storage_per_month.source,
                     e.steps > 0 ? fmt::format(", {} over the run", format::usd(e.storage_usd_run))
                                 : std::string());
  if (e.egress) {
    out += fmt::format("  egress: {:.4g} GB, {} ({})\n", in.egress_gb, format::usd(e.egress->usd),
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
        pricing::to_string(m), r.trials, r.seed, format::duration(r.run_time_s.mean),
        format::duration(r.analytic_run_time_s), format::duration(r.run_time_s.stddev),
        format::duration(r.run_time_s.p5), format::duration(r.run_time_s.p50),
        format::duration(r.run_time_s.p95), format::usd(r.cost_usd.mean),
        format::usd(r.cost_usd.stddev), format::usd(r.cost_usd.p95), r.interruptions.mean);
  }
  return out;
}

}  // namespace cirrus::reports
