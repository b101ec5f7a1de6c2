#include "reports/plan_render.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <map>

#include "common/units.hpp"
#include "models/step/analytic_step.hpp"
#include "reports/report_format.hpp"
#include "reports/report_model.hpp"
#include "reports/result_render.hpp"
#include "reports/uncertainty_render.hpp"

namespace cirrus::reports {
namespace {

models::StepResult result_of(const PlanView& v, std::size_t i) {
  const auto& r = *v.result;
  const auto it = r.refined_results.find(i);
  if (it != r.refined_results.end()) return it->second;
  const models::StepInput in = plan::candidate_input(*v.scenario, *v.space, r.candidates[i]);
  models::StepResult res = models::analytic_step(in);
  res.calibration = models::calibration_of(in.profile.get());  // analytic_step leaves it
  return res;
}

// Whether any candidate offloads (its placements are then shown for every candidate).
// The instances `"instance": "auto"` left out, grouped by reason with a few names each.
std::string skipped_text(const PlanView& v) {
  if (v.skipped_instances == nullptr || v.skipped_instances->empty()) return "";
  std::map<std::string, std::vector<std::string>> by_reason;
  for (const auto& [id, why] : *v.skipped_instances) by_reason[why].push_back(id);
  std::string o;
  bool first = true;
  for (const auto& [why, ids] : by_reason) {
    std::string names;
    for (std::size_t i = 0; i < ids.size() && i < 4; ++i) names += (i ? ", " : "") + ids[i];
    if (ids.size() > 4) names += fmt::format(", ... ({} more)", ids.size() - 4);
    o += fmt::format("{}{} x {} ({})\n", first ? "  skipped   " : "            ", ids.size(), why,
                     names);
    first = false;
  }
  return o;
}

bool any_offload(const PlanView& v) {
  for (const auto& c : v.result->candidates) {
    if (c.strategy.offload.any()) return true;
  }
  return false;
}

std::string strategy_text(const models::Strategy& s, bool placements = false) {
  std::string t = strategy_short(s);
  if (placements) {
    t += fmt::format(" params:{} opt:{}", models::to_string(s.offload.params),
                     models::to_string(s.offload.optimizer));
  }
  return t;
}

std::string money(std::optional<double> usd) { return format::usd(usd); }

// The band of a known uncertainty, else nothing (the table then prints the value alone).
std::optional<double> known_sigma(const models::Uncertainty& u) {
  return u.known ? std::optional<double>(u.sigma) : std::nullopt;
}

}  // namespace

std::vector<models::Uncertainty> instance_uncertainty(const PlanView& v) {
  std::vector<models::Uncertainty> out;
  out.reserve(v.space->instances.size());
  for (const auto& inst : v.space->instances) {
    // The instance's profile, when it has one, is a measured or public profile: either way the
    // same rules apply (models/step/uncertainty.hpp, rule 2).
    out.push_back(models::estimate_uncertainty(
        v.residuals.get(), inst.node.gpu, v.scenario->training.precision,
        models::calibration_status("", inst.profile != nullptr)));
  }
  return out;
}

nlohmann::json candidate_json(const PlanView& v, std::size_t i) {
  const auto& c = v.result->candidates[i];
  ResultContext ctx;
  ctx.scenario = v.scenario->name;
  ctx.instance = v.space->instances[c.instance].id;
  ctx.input = plan::candidate_input(*v.scenario, *v.space, c);
  const models::StepResult r = result_of(v, i);
  nlohmann::json j = result_json(ctx, r);
  j["estimate"] = c.refined ? "engine" : "analytic";
  j["meets_limits"] = c.meets_limits;
  if (any_offload(v)) {  // every candidate's placements once some candidate offloads
    j["config"]["offload"] = {{"params", models::to_string(c.strategy.offload.params)},
                              {"optimizer", models::to_string(c.strategy.offload.optimizer)}};
  }
  const auto& e = c.economics;
  const double steps = v.result->steps;
  const double tokens = steps * static_cast<double>(v.scenario->training.global_batch) *
                        static_cast<double>(v.scenario->model.seq_len);
  nlohmann::json cost;
  cost["pricing"] = v.pricing;
  cost["usd_per_hour"] =
      e.usd_per_hour ? nlohmann::json(round_sig(*e.usd_per_hour)) : nlohmann::json();
  if (e.usd_total) {
    cost["usd_per_step"] = round_sig(*e.usd_total / steps);
    cost["usd_total"] = round_sig(*e.usd_total);
    cost["usd_per_million_tokens"] = round_sig(*e.usd_total / tokens * 1e6);
  } else {
    cost["usd_per_step"] = nullptr;
    cost["usd_total"] = nullptr;
    cost["usd_per_million_tokens"] = nullptr;
  }
  // As `simulate` spells it ("aws 2026-01-21"); the price's full source beside it.
  const auto& option = v.space->instances[c.instance];
  cost["catalog"] = option.catalog.empty() ? nlohmann::json() : nlohmann::json(option.catalog);
  cost["price_source"] = option.price_note;
  cost["run_days"] = round_sig(e.run_seconds / kSecondsPerDay, 4);
  // Capacity products (added): the hours billed per instance and the instance-hours left unused.
  if (e.billed_hours) cost["billed_hours"] = round_sig(*e.billed_hours);
  if (e.unused_hours) cost["unused_hours"] = round_sig(*e.unused_hours);
  if (!e.billing.empty()) cost["billing"] = e.billing;
  j["cost"] = cost;
  add_uncertainty_json(j, instance_uncertainty(v)[c.instance],
                       {r.step_time_s, e.run_seconds / kSecondsPerDay, e.usd_total});
  return j;
}

nlohmann::json plan_json(const PlanView& v) {
  const auto& r = *v.result;
  nlohmann::json j;
  j["cirrus"] = 1;
  j["scenario"] = v.scenario->name;
  j["objective"] = {
      {"minimize", v.scenario->objective.minimize},
      {"max_usd", v.scenario->objective.max_usd ? nlohmann::json(*v.scenario->objective.max_usd)
                                                : nlohmann::json()},
      {"max_days", v.scenario->objective.max_days ? nlohmann::json(*v.scenario->objective.max_days)
                                                  : nlohmann::json()},
      {"pricing", v.pricing}};
  j["evaluated"] = r.evaluated;
  j["infeasible"] = r.infeasible;
  nlohmann::json pruned = nlohmann::json::object();
  for (const auto& [reason, n] : r.pruned) pruned[reason] = n;
  j["search"] = {{"raw_combinations", r.raw_combinations},
                 {"evaluated", r.evaluated},
                 {"pruned", r.infeasible},
                 {"pruned_by_reason", pruned},
                 {"refined", r.refined}};
  nlohmann::json skipped = nlohmann::json::array();
  if (v.skipped_instances != nullptr) {
    for (const auto& [id, why] : *v.skipped_instances) {
      skipped.push_back({{"instance", id}, {"why", why}});
    }
  }
  j["search"]["skipped_instances"] = skipped;
  j["search"]["nodes"] = {{"auto", v.space->nodes_auto},
                          {"min", v.space->nodes.front()},
                          {"max", v.space->nodes.back()}};
  j["search"]["fastest_at_node_limit"] = fastest_at_node_limit(v).has_value();
  j["best"] = r.best ? candidate_json(v, *r.best) : nlohmann::json();
  if (!r.best) j["no_best_reason"] = r.no_best_reason;
  nlohmann::json pareto = nlohmann::json::array();
  for (std::size_t i : r.pareto) pareto.push_back(candidate_json(v, i));
  j["pareto"] = pareto;
  nlohmann::json top = nlohmann::json::array();
  const bool placements = any_offload(v);
  for (std::size_t i : r.top) {
    nlohmann::json row = candidate_json(v, i);
    nlohmann::json also = nlohmann::json::array();
    if (const auto it = r.also.find(i); it != r.also.end()) {
      for (std::size_t k : it->second) {
        also.push_back(strategy_text(r.candidates[k].strategy, placements));
      }
    }
    row["also"] = also;
    top.push_back(row);
  }
  j["top"] = top;
  nlohmann::json per_instance = nlohmann::json::array();
  for (std::size_t i : r.best_per_instance) per_instance.push_back(candidate_json(v, i));
  j["best_per_instance"] = per_instance;
  nlohmann::json per_cloud = nlohmann::json::array();
  for (std::size_t i : r.best_per_cloud) per_cloud.push_back(candidate_json(v, i));
  j["best_per_cloud"] = per_cloud;
  return j;
}

std::string render_plan_json(const PlanView& v) { return plan_json(v).dump(2) + "\n"; }

std::string render_plan_table(const PlanView& v) {
  const auto& r = *v.result;
  const auto& s = *v.scenario;
  std::string o;
  o += fmt::format("{}\n", s.name);
  o += fmt::format("  model     {} ({:.1f}B parameters), {} sequences of {} tokens per step",
                   s.model.name, s.model.parameters() / 1e9, s.training.global_batch,
                   s.model.seq_len);
  if (s.training.tokens > 0) o += fmt::format(", {:.3g} tokens", s.training.tokens);
  o += "\n";
  o += fmt::format("  objective minimize {}", s.objective.minimize);
  if (s.objective.max_days) o += fmt::format(", at most {} days", *s.objective.max_days);
  if (s.objective.max_usd) o += fmt::format(", at most {}", money(*s.objective.max_usd));
  o += fmt::format("; {} prices\n", v.pricing);
  o += fmt::format(
      "  searched  {:.0f} combinations: {} evaluated, {} pruned, {} re-simulated "
      "with the engine\n",
      r.raw_combinations, r.evaluated, r.infeasible, r.refined);
  o += skipped_text(v);
  if (v.space->nodes_auto) {
    o += fmt::format("  nodes     auto: powers of two from {} to {}\n", v.space->nodes.front(),
                     v.space->nodes.back());
  }
  if (const auto edge = fastest_at_node_limit(v)) {
    o += fmt::format(
        "  note      the fastest option uses {} nodes, the most \"nodes\": \"auto\" tries; more "
        "might be faster: list larger counts in cluster.nodes to try them\n",
        r.candidates[*edge].nodes);
  }
  if (!r.pruned.empty()) {
    o += "  pruned    ";
    bool first = true;
    for (const auto& [reason, n] : r.pruned) {
      o += fmt::format("{}{} x {}", first ? "" : "\n            ", n, reason);
      first = false;
    }
    o += "\n";
  }
  o += "\n";
  const bool placements = any_offload(v);
  // The strategy column is as wide as the longest label shown, so rows stay aligned.
  std::size_t width = 40;
  for (const auto* rows : {&r.pareto, &r.top, &r.best_per_instance, &r.best_per_cloud}) {
    for (std::size_t i : *rows) {
      width = std::max(width, strategy_text(r.candidates[i].strategy, placements).size());
    }
  }
  // Run days and cost with their 1-sigma range (models/step/uncertainty.hpp), per instance.
  const std::vector<models::Uncertainty> bars = instance_uncertainty(v);
  const bool limits = s.objective.max_days.has_value() || s.objective.max_usd.has_value();
  bool marked = false;  // some row shown breaks the limits: the footnote follows
  auto line = [&](std::size_t i) {
    const auto& c = r.candidates[i];
    const auto& inst = v.space->instances[c.instance];
    const auto sigma = known_sigma(bars[c.instance]);
    const bool breaks = limits && !c.meets_limits;
    marked = marked || breaks;
    return fmt::format("{:<34} {:>5} {:>6} {:<{}} {:>8.2f} {:>19} {:>22} {}{}", inst.id, c.nodes,
                       c.nodes * inst.node.gpus, strategy_text(c.strategy, placements), width,
                       c.step_seconds,
                       days_with_range(c.economics.run_seconds / kSecondsPerDay, sigma),
                       c.economics.usd_total ? money_with_range(*c.economics.usd_total, sigma)
                                             : money(c.economics.usd_total),
                       c.refined ? "engine" : "analytic", breaks ? " *" : "");
  };
  // Of a top row's equivalents, the words of their labels that differ from the row's.
  auto also_line = [&](std::size_t i) -> std::string {
    const auto it = r.also.find(i);
    if (it == r.also.end()) return "";
    const std::string mine = strategy_text(r.candidates[i].strategy, placements);
    std::vector<std::string> variants;
    for (std::size_t k : it->second) {
      std::string differs;
      const std::string theirs = strategy_text(r.candidates[k].strategy, placements);
      std::size_t from = 0;
      while (from < theirs.size()) {
        std::size_t to = theirs.find(' ', from);
        if (to == std::string::npos) to = theirs.size();
        const std::string word = theirs.substr(from, to - from);
        if (!word.empty() && (" " + mine + " ").find(" " + word + " ") == std::string::npos) {
          differs += (differs.empty() ? "" : " ") + word;
        }
        from = to + 1;
      }
      if (differs.empty()) differs = theirs;
      if (std::find(variants.begin(), variants.end(), differs) == variants.end()) {
        variants.push_back(differs);
      }
    }
    return fmt::format("      also (same time and cost): {}\n", fmt::join(variants, "; "));
  };
  const std::string header =
      fmt::format("{:<34} {:>5} {:>6} {:<{}} {:>8} {:>19} {:>22} {}", "instance", "nodes", "GPUs",
                  "strategy", width, "step s", "days (1 sigma)", "cost (1 sigma)", "estimate");
  if (r.best) {
    const auto& c = r.candidates[*r.best];
    const auto& inst = v.space->instances[c.instance];
    const models::StepResult best = result_of(v, *r.best);
    o += fmt::format("BEST: {} nodes of {} ({} GPUs of {})\n", c.nodes, inst.id,
                     c.nodes * inst.node.gpus, inst.node.gpu.display);
    o += fmt::format("  strategy  {}\n", strategy_text(c.strategy, placements));
    const models::Uncertainty& u = bars[c.instance];
    o += fmt::format("  step      {:.3f} s ({}), MFU {:.1f}%, {:.0f} tokens/s\n", c.step_seconds,
                     c.refined ? "simulated with the engine" : "analytic estimate", best.mfu * 100,
                     best.tokens_per_s);
    if (u.known) {
      o += fmt::format("  error     {} ({}){}\n", models::sigma_text(u.sigma), u.basis,
                       u.bias ? fmt::format("; median error of those runs {:+.3g}%, not corrected",
                                            100.0 * *u.bias)
                              : "");
    } else {
      o += fmt::format("  error     {}\n", u.basis);
    }
    const double days = c.economics.run_seconds / kSecondsPerDay;
    o += fmt::format(
        "  run       {:.1f} days{}, {} ({} for the cluster per hour)\n", days,
        u.known ? fmt::format(" ({})", range_text(models::band(days, u.sigma), 1)) : std::string(),
        c.economics.usd_total ? money_with_range(*c.economics.usd_total, known_sigma(u))
                              : money(c.economics.usd_total),
        money(c.economics.usd_per_hour));
    if (!c.economics.billing.empty()) o += fmt::format("  billed    {}\n", c.economics.billing);
    o += fmt::format("  memory    {:.1f} of {:.1f} GiB per GPU\n", best.memory.total,
                     best.memory.capacity);
    o += fmt::format("  price     {}\n\n", inst.price_note);
  } else {
    o += fmt::format("NO PLAN: {}\n\n", r.no_best_reason);
  }
  o += "Pareto frontier (no other configuration is both faster and cheaper):\n  " + header + "\n";
  for (std::size_t i : r.pareto) o += "  " + line(i) + "\n";
  o += fmt::format("\nTop {} by {}:\n  {}\n", r.top.size(), s.objective.minimize, header);
  for (std::size_t i : r.top) o += "  " + line(i) + "\n" + also_line(i);
  if (r.best_per_instance.size() > 1) {
    o += "\nBest per instance type:\n  " + header + "\n";
    for (std::size_t i : r.best_per_instance) o += "  " + line(i) + "\n";
  }
  if (r.best_per_cloud.size() > 1) {
    o += "\nBest per cloud:\n  " + header + "\n";
    for (std::size_t i : r.best_per_cloud) o += "  " + line(i) + "\n";
  }
  if (marked) {
    std::vector<std::string> bounds;
    if (s.objective.max_days) bounds.push_back(fmt::format("{} days", *s.objective.max_days));
    if (s.objective.max_usd) bounds.push_back(money(*s.objective.max_usd));
    o += fmt::format("* breaks the objective's limits (at most {})\n", fmt::join(bounds, ", "));
  }
  // What the listed step times rest on, per instance shown (each GPU has its own profile).
  std::vector<std::pair<std::string, std::string>> cal;  // instance, calibration
  auto note = [&](std::size_t i) {
    const auto& inst = v.space->instances[r.candidates[i].instance];
    const std::string c = models::calibration_of(inst.profile.get());
    if (std::find(cal.begin(), cal.end(), std::make_pair(inst.id, c)) == cal.end()) {
      cal.emplace_back(inst.id, c);
    }
  };
  for (const auto* rows : {&r.pareto, &r.top, &r.best_per_instance, &r.best_per_cloud}) {
    for (std::size_t i : *rows) note(i);
  }
  o += "\nCalibration of the step times:\n";
  for (const auto& [id, c] : cal) o += fmt::format("  {}: {}\n", id, c);
  o += "'analytic' rows are the fast estimate, 'engine' rows were re-simulated with "
       "contention.\n";
  // Each error bar shown once, with the instances it applies to (models/step/uncertainty.hpp).
  std::vector<std::pair<std::string, std::vector<std::string>>> bases;  // (band, instances)
  auto note_bar = [&](std::size_t i) {
    const std::uint32_t k = r.candidates[i].instance;
    const auto& u = bars[k];
    const std::string what =
        u.known ? fmt::format("{} ({})", models::sigma_text(u.sigma), u.basis) : u.basis;
    const std::string& id = v.space->instances[k].id;
    auto it =
        std::find_if(bases.begin(), bases.end(), [&](const auto& b) { return b.first == what; });
    if (it == bases.end()) it = bases.insert(bases.end(), {what, {}});
    if (std::find(it->second.begin(), it->second.end(), id) == it->second.end()) {
      it->second.push_back(id);
    }
  };
  if (r.best) note_bar(*r.best);
  for (const auto* rows : {&r.pareto, &r.top, &r.best_per_instance, &r.best_per_cloud}) {
    for (std::size_t i : *rows) note_bar(i);
  }
  if (!bases.empty()) {
    o += "Error bars (1 sigma of cirrus's errors against published runs, `cirrus validate "
         "--all`; ranges are x (1 -/+ sigma)):\n";
    for (const auto& [what, ids] : bases) {
      o += fmt::format("  {}: {}\n", fmt::join(ids, ", "), what);
    }
  }
  return o;
}

std::string render_plan_csv(const PlanView& v) {
  const auto& r = *v.result;
  std::string o =
      "instance,nodes,gpus,tp,pp,dp,cp,micro_batch,schedule,virtual_stages,zero,recompute,"
      "sequence_parallel,step_time_s,run_days,usd_total,usd_per_hour,estimate,meets_limits";
  // The placements only when some candidate offloads, so other plans keep their columns.
  const bool placements = any_offload(v);
  o += placements ? ",offload_params,offload_optimizer" : "";
  // The error bars (empty when unknown): the relative sigma and each range's ends.
  o += ",sigma,step_time_low_s,step_time_high_s,run_days_low,run_days_high,usd_total_low,"
       "usd_total_high\n";
  const std::vector<models::Uncertainty> bars = instance_uncertainty(v);
  for (const auto& c : r.candidates) {
    const auto& inst = v.space->instances[c.instance];
    const auto& st = c.strategy;
    o += fmt::format(
        "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", inst.id, c.nodes,
        c.nodes * inst.node.gpus, st.tp, st.pp, st.dp, st.cp, st.micro_batch,
        models::to_string(st.schedule), st.virtual_stages, st.zero, models::to_string(st.recompute),
        st.sequence_parallel ? "true" : "false", round_sig(c.step_seconds),
        round_sig(c.economics.run_seconds / kSecondsPerDay, 4),
        c.economics.usd_total ? fmt::format("{}", round_sig(*c.economics.usd_total)) : "",
        c.economics.usd_per_hour ? fmt::format("{}", round_sig(*c.economics.usd_per_hour)) : "",
        c.refined ? "engine" : "analytic", c.meets_limits ? "true" : "false");
    o.pop_back();  // the row goes on
    if (placements) {
      o += fmt::format(",{},{}", models::to_string(st.offload.params),
                       models::to_string(st.offload.optimizer));
    }
    const models::Uncertainty& u = bars[c.instance];
    if (u.known) {
      const double days = c.economics.run_seconds / kSecondsPerDay;
      const models::Range step = models::band(c.step_seconds, u.sigma);
      const models::Range run = models::band(days, u.sigma);
      o += fmt::format(",{},{},{},{},{}", round_sig(u.sigma, 4), round_sig(step.low, 4),
                       round_sig(step.high, 4), round_sig(run.low, 4), round_sig(run.high, 4));
      if (c.economics.usd_total) {
        const models::Range usd = models::band(*c.economics.usd_total, u.sigma);
        o += fmt::format(",{},{}\n", round_sig(usd.low, 4), round_sig(usd.high, 4));
      } else {
        o += ",,\n";
      }
    } else {
      o += ",,,,,,,\n";
    }
  }
  return o;
}

PlanView plan_view(const app::Job& job, const app::PlanRun& run) {
  return {&job.scenario, &run.space,
          &run.result,   pricing::to_string(job.scenario.pricing.model),
          job.residuals, &run.resolved.skipped};
}

std::optional<std::size_t> fastest_at_node_limit(const PlanView& v) {
  const auto& r = *v.result;
  if (!v.space->nodes_auto || r.candidates.empty()) return std::nullopt;
  std::size_t fastest = 0;
  for (std::size_t i = 1; i < r.candidates.size(); ++i) {
    if (r.candidates[i].economics.run_seconds < r.candidates[fastest].economics.run_seconds) {
      fastest = i;
    }
  }
  if (r.candidates[fastest].nodes < v.space->nodes.back()) return std::nullopt;
  return fastest;
}

std::string render_plan(const app::Job& job, const app::PlanRun& run, const std::string& format) {
  const PlanView view = plan_view(job, run);
  if (format == "json") return render_plan_json(view);
  if (format == "csv") return render_plan_csv(view);
  return render_plan_table(view);
}

}  // namespace cirrus::reports
