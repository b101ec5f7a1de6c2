#include "reports/report_builder.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <set>

#include "common/units.hpp"
#include "models/step/analytic_step.hpp"
#include "models/systems/checkpoint.hpp"
#include "pricing/cost_model.hpp"
#include "reports/report_format.hpp"
#include "reports/timeline.hpp"
#include "reports/uncertainty_render.hpp"

namespace cirrus::reports {
namespace {

void add_scenario_facts(Report& r, const scenarios::Scenario& s) {
  r.title = s.name.empty() ? s.file : s.name;
  r.scenario_file = s.file;
  const auto& m = s.model;
  r.scenario_facts.emplace_back(
      "model", fmt::format("{}: {} layers, hidden {}, {} heads ({} KV), FFN {} ({}), vocabulary "
                           "{}, sequence {} tokens; {:.1f} B parameters",
                           m.name.empty() ? "custom" : m.name, m.layers, m.hidden, m.heads,
                           m.kv_heads, m.ffn_hidden, models::to_string(m.ffn), m.vocab, m.seq_len,
                           m.parameters() / 1e9));
  const auto& t = s.training;
  std::string training =
      fmt::format("global batch {} sequences ({:.3g} tokens per step), {}, {}", t.global_batch,
                  static_cast<double>(t.global_batch) * m.seq_len, models::to_string(t.precision),
                  models::to_string(t.optimizer));
  if (t.tokens > 0) training += fmt::format("; {:.3g} tokens in all", t.tokens);
  r.scenario_facts.emplace_back("training", training);
  std::string hw;
  if (s.instance.is_auto) {
    hw = "instance: every catalog instance cirrus can simulate";
  } else if (!s.instance.values.empty()) {
    hw = "instance: ";
    for (std::size_t i = 0; i < s.instance.values.size(); ++i) {
      hw += (i ? ", " : "") + s.instance.values[i];
    }
  } else {
    hw = "node: " + s.node_id;
  }
  std::string nodes = s.nodes.is_auto ? "auto" : "";
  for (std::size_t i = 0; i < s.nodes.values.size() && !s.nodes.is_auto; ++i) {
    nodes += (i ? ", " : "") + std::to_string(s.nodes.values[i]);
  }
  r.scenario_facts.emplace_back(
      "cluster",
      fmt::format("{}; nodes: {}; network: {}, "
                  "oversubscription {:.3g}",
                  hw, nodes, models::to_string(s.network.topology), s.network.oversubscription));
  r.scenario_facts.emplace_back("calibration profile",
                                s.profile.empty() ? "none (datasheet figures)" : s.profile);
  r.pricing = pricing::to_string(s.pricing.model);
  r.objective = "minimize " + s.objective.minimize;
  r.max_days = s.objective.max_days;
  r.max_usd = s.objective.max_usd;
  if (s.objective.max_days)
    r.objective += fmt::format(", at most {:.4g} days", *s.objective.max_days);
  if (s.objective.max_usd) r.objective += ", at most " + format::usd(*s.objective.max_usd);
  r.scenario_facts.emplace_back(
      "pricing",
      r.pricing + (s.pricing.region.empty() ? std::string() : ", region " + s.pricing.region));
  r.scenario_facts.emplace_back("objective", r.objective);
  r.open_choices = s.open_choices();
  r.scenario_facts.emplace_back(
      "open choices", r.open_choices.empty() ? std::string("none (a pinned configuration)") : "");
  if (!r.open_choices.empty()) {
    std::string o;
    for (std::size_t i = 0; i < r.open_choices.size(); ++i)
      o += (i ? ", " : "") + r.open_choices[i];
    r.scenario_facts.back().second = o;
  }
}

std::string label_of(const ReportCandidate& c) {
  return fmt::format("{} x {}, {}", c.instance, c.nodes, strategy_short(c.strategy));
}

// Prices the chosen configuration under every pricing model and records the catalog's sources.
void add_pricing(Report& r, const scenarios::Scenario& s, const pricing::Instance& inst, int nodes,
                 double step_time_s, double tokens_per_step) {
  pricing::CostInput in =
      pricing::make_cost_input(inst, nodes, step_time_s, tokens_per_step, s.training.tokens);
  // As the planner and `simulate` price runs: 16-bit weights plus fp32 master weights and
  // Adam's moments, 14 bytes per parameter (the ZeRO paper's K = 12, plus 2).
  in.checkpoint_bytes = models::checkpoint_bytes(s.model, s.training);
  in.committed_reuse = s.pricing.committed_reuse;
  const pricing::CostEstimate e = pricing::estimate_cost(in);
  const std::string chosen = pricing::to_string(s.pricing.model);
  r.run_steps = e.steps;
  r.work_s = e.work_s;
  r.storage_usd_run = e.storage_usd_run;
  r.storage_source = e.storage_per_month.source;
  r.pricing_assumptions = e.assumptions;
  r.pricing_assumptions.push_back("spot interruptions: " +
                                  pricing::default_spot_interruption_rate(inst).source);
  for (const pricing::PricingModel m : pricing::kPricingModels) {
    PricingRow row;
    row.model = pricing::to_string(m);
    row.chosen = row.model == chosen;
    const auto& run = e.run(m);
    const pricing::PriceSource src = inst.source_of(m);
    row.source = src.source;
    row.retrieved = src.retrieved;
    row.verified = src.verified;
    if (run) {
      row.offered = true;
      row.usd_per_instance_hour = run->usd_per_instance_hour;
      row.usd_per_hour = run->usd_per_hour;
      row.usd_total = run->usd_total;
      row.usd_per_million_tokens = run->usd_per_million_tokens;
      row.run_time_s = run->run_time_s;
      row.completes = run->completes;
      row.expected_interruptions = run->expected_interruptions;
      const double hours = e.steps > 0 ? 1.0 / kSecondsPerHour : 0.0;
      row.usd_work = run->usd_per_hour * e.work_s * hours;
      row.usd_checkpoints = run->usd_per_hour * run->checkpoint_overhead_s * hours;
      row.usd_interruptions =
          std::isfinite(run->usd_total)
              ? std::max(0.0, run->usd_total - row.usd_work - row.usd_checkpoints)
              : 0.0;
    }
    r.pricing_rows.push_back(row);
  }
}

void add_sources(Report& r, const pricing::Instance& inst) {
  for (const pricing::PricingModel m : pricing::kPricingModels) {
    const auto price = inst.prices.get(m);
    if (!price) continue;
    const pricing::PriceSource src = inst.source_of(m);
    r.catalog_sources.push_back({inst.id, pricing::to_string(m), *price, inst.region, src.source,
                                 src.retrieved, src.verified});
  }
}

void add_run_details(Report& r, const models::StepInput& input) {
  const models::SimulationOutput sim = models::simulate_step_detailed(input);
  if (!sim.result.feasible) return;
  r.timeline = timeline_of(sim.graph, sim.run);
  r.calibrated = sim.result.calibrated;
  r.calibration = sim.result.calibration;
  r.assumptions = sim.result.assumptions;
}

}  // namespace

std::string strategy_short(const models::Strategy& s) {
  std::string t = fmt::format("tp{} pp{} dp{}", s.tp, s.pp, s.dp);
  if (s.cp > 1) t += fmt::format(" cp{}", s.cp);
  if (s.ep > 1) t += fmt::format(" ep{}", s.ep);
  t += fmt::format(" mb{} {}", s.micro_batch, models::to_string(s.schedule));
  if (s.schedule == models::Schedule::kInterleaved) t += fmt::format("x{}", s.virtual_stages);
  t += fmt::format(" z{} {}", s.zero, models::to_string(s.recompute));
  if (s.sequence_parallel) t += " sp";
  return t;
}

Report build_plan_report(const scenarios::Scenario& s, const plan::SearchSpace& space,
                         const plan::PlanResult& plan, const plan::ResolvedInstances& resolved,
                         std::size_t details, const models::ResidualStats* residuals) {
  Report r;
  // Error bars per instance: the GPU, its profile and the precision decide them.
  std::vector<models::Uncertainty> bars;
  for (const auto& inst : space.instances) {
    bars.push_back(
        models::estimate_uncertainty(residuals, inst.node.gpu, s.training.precision,
                                     models::calibration_status("", inst.profile != nullptr)));
  }
  add_scenario_facts(r, s);
  r.raw_combinations = plan.raw_combinations;
  r.evaluated = plan.evaluated;
  r.pruned = plan.infeasible;
  r.refined = plan.refined;
  for (const auto& [reason, n] : plan.pruned) r.pruned_by_reason.emplace_back(reason, n);
  const std::set<std::size_t> pareto(plan.pareto.begin(), plan.pareto.end());
  r.candidates.reserve(plan.candidates.size() + plan.pruned_candidates.size());
  for (std::size_t i = 0; i < plan.candidates.size(); ++i) {
    const auto& c = plan.candidates[i];
    const auto& inst = space.instances[c.instance];
    ReportCandidate rc;
    rc.instance = inst.id;
    rc.nodes = c.nodes;
    rc.gpus = c.nodes * inst.node.gpus;
    rc.strategy = c.strategy;
    rc.status = "feasible";
    rc.estimate = c.refined ? "engine" : "analytic";
    rc.step_time_s = c.step_seconds;
    rc.run_days = c.economics.run_seconds / kSecondsPerDay;
    rc.usd_per_hour = c.economics.usd_per_hour;
    rc.usd_total = c.economics.usd_total;
    rc.meets_limits = c.meets_limits;
    rc.pareto = pareto.count(i) > 0;
    rc.best = plan.best && *plan.best == i;
    if (bars[c.instance].known) rc.sigma = bars[c.instance].sigma;
    r.candidates.push_back(std::move(rc));
  }
  // Pruned combinations are listed while the CSV stays small (about 130 bytes a row: 100,000
  // rows is 13 MB); beyond that they are counted by reason only, and the report says so.
  constexpr std::size_t kMaxPrunedRows = 100000;
  const bool list_pruned = plan.pruned_candidates.size() <= kMaxPrunedRows;
  if (!list_pruned) {
    r.pruned_by_reason.emplace_back(
        fmt::format("(pruned combinations not listed in candidates.csv: more than {})",
                    kMaxPrunedRows),
        plan.pruned_candidates.size());
  }
  for (const auto& p :
       list_pruned ? plan.pruned_candidates : std::vector<plan::PrunedCandidate>{}) {
    const auto& inst = space.instances[p.instance];
    ReportCandidate rc;
    rc.instance = inst.id;
    rc.nodes = p.nodes;
    rc.gpus = p.nodes * inst.node.gpus;
    rc.strategy = p.strategy;
    rc.feasible = false;
    rc.status = p.reason < plan.pruned_reasons.size() ? plan.pruned_reasons[p.reason] : "pruned";
    r.candidates.push_back(std::move(rc));
  }
  r.best = plan.best;
  if (plan.best) r.best_uncertainty = bars[plan.candidates[*plan.best].instance];
  r.no_best_reason = plan.no_best_reason;
  r.pareto = plan.pareto;
  r.top = plan.top;

  // Details: the best, then the top ones (engine results where refined, else analytic).
  std::vector<std::size_t> shown;
  if (plan.best) shown.push_back(*plan.best);
  for (std::size_t i : plan.top) {
    if (shown.size() >= details + 1) break;
    if (std::find(shown.begin(), shown.end(), i) == shown.end()) shown.push_back(i);
  }
  for (std::size_t i : shown) {
    CandidateDetail d;
    d.candidate = i;
    d.label = label_of(r.candidates[i]);
    const auto it = plan.refined_results.find(i);
    if (it != plan.refined_results.end()) {
      d.result = it->second;
    } else {
      const models::StepInput in = plan::candidate_input(s, space, plan.candidates[i]);
      d.result = models::analytic_step(in);
      d.result.calibration = models::calibration_of(in.profile.get());  // analytic_step leaves it
    }
    r.details.push_back(std::move(d));
  }
  if (plan.best) {
    const auto& c = plan.candidates[*plan.best];
    const models::StepInput input = plan::candidate_input(s, space, c);
    add_run_details(r, input);
    if (c.instance < resolved.catalog_entries.size() &&
        resolved.catalog_entries[c.instance] != nullptr) {
      const double tokens_per_step =
          static_cast<double>(s.training.global_batch) * static_cast<double>(s.model.seq_len);
      add_pricing(r, s, *resolved.catalog_entries[c.instance], c.nodes, c.step_seconds,
                  tokens_per_step);
    }
  } else if (!plan.candidates.empty()) {
    r.assumptions.push_back("no configuration meets the limits; nothing was simulated in detail");
  }
  for (const pricing::Instance* inst : resolved.catalog_entries) {
    if (inst != nullptr) add_sources(r, *inst);
  }
  return r;
}

Report build_pinned_report(const scenarios::Scenario& s, const models::StepInput& input,
                           const models::SimulationOutput& sim, const pricing::Instance* instance,
                           const models::ResidualStats* residuals) {
  Report r;
  add_scenario_facts(r, s);
  const models::StepResult& res = sim.result;
  ReportCandidate rc;
  rc.instance = instance != nullptr
                    ? instance->id
                    : (s.instance.values.empty() ? s.node_id : s.instance.values.front());
  rc.nodes = input.cluster.nodes;
  rc.gpus = input.cluster.gpus();
  rc.strategy = input.strategy;
  rc.feasible = res.feasible;
  rc.status = res.feasible ? "feasible" : res.infeasible_reason;
  rc.estimate = res.feasible ? "engine" : "";
  rc.step_time_s = res.step_time_s;
  const double tokens_per_step =
      static_cast<double>(input.training.global_batch) * static_cast<double>(input.model.seq_len);
  const double steps = s.training.tokens > 0 ? std::ceil(s.training.tokens / tokens_per_step) : 1;
  rc.run_days = res.step_time_s * steps / kSecondsPerDay;
  rc.meets_limits = res.feasible;
  rc.best = res.feasible;
  rc.pareto = res.feasible;
  r.evaluated = res.feasible ? 1 : 0;
  r.pruned = res.feasible ? 0 : 1;
  if (!res.feasible) r.pruned_by_reason.emplace_back(res.infeasible_reason, 1);
  r.candidates.push_back(rc);
  r.calibrated = res.calibrated;
  r.calibration = res.calibration;
  r.assumptions = res.assumptions;
  if (!res.feasible) {
    r.no_best_reason = "the configuration is infeasible: " + res.infeasible_reason;
    CandidateDetail d{0, label_of(rc), res};
    r.details.push_back(std::move(d));
    if (instance != nullptr) add_sources(r, *instance);
    return r;
  }
  r.best = 0;
  r.best_uncertainty = models::result_uncertainty(residuals, input, res);
  if (r.best_uncertainty->known) r.candidates[0].sigma = r.best_uncertainty->sigma;
  r.pareto = {0};
  r.top = {0};
  r.details.push_back({0, label_of(rc), res});
  r.timeline = timeline_of(sim.graph, sim.run);
  if (instance != nullptr) {
    add_pricing(r, s, *instance, input.cluster.nodes, res.step_time_s, tokens_per_step);
    add_sources(r, *instance);
    for (const auto& row : r.pricing_rows) {
      if (row.chosen && row.offered) {
        r.candidates[0].usd_per_hour = row.usd_per_hour;
        if (std::isfinite(row.usd_total)) r.candidates[0].usd_total = row.usd_total;
        if (s.training.tokens > 0) r.candidates[0].run_days = row.run_time_s / kSecondsPerDay;
      }
    }
  }
  return r;
}

}  // namespace cirrus::reports
