#include "reports/serving_plan_render.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "reports/report_format.hpp"

namespace cirrus::reports {
namespace {

using Json = nlohmann::ordered_json;

Json number(double v) { return std::isfinite(v) ? Json(round_sig(v)) : Json(nullptr); }

Json ms_json(const std::optional<double>& s) { return s ? number(*s * 1e3) : Json(nullptr); }

const plan::ServingCandidate& cand(const app::ServingPlan& p, const app::ServingPlanRow& r) {
  return p.search.candidates[r.candidate];
}

Json cost_json(const std::optional<pricing::ServingCost>& c) {
  if (!c) return nullptr;
  return Json{{"usd_per_hour", round_sig(c->usd_per_hour)},
              {"usd_per_million_tokens", round_sig(c->usd_per_million_tokens)},
              {"source", c->source},
              {"retrieved", c->retrieved},
              {"verified", c->verified}};
}

Json config_json(const app::ServingPlan& p, const plan::ServingCandidate& c) {
  Json j{{"instance", p.instances[c.instance].id},
         {"gpu", p.instances[c.instance].node.gpu.display},
         {"tp", c.tp}};
  if (c.pp > 1) j["pp"] = c.pp;
  if (c.disagg) {
    j["disaggregation"] = Json{{"prefill_tp", c.tp},
                               {"decode_tp", c.disagg->decode_tp},
                               {"transfer", to_string(c.disagg->transfer)},
                               {"link", c.disagg->link.basis},
                               {"prefill_kv_blocks", c.disagg->prefill_kv_blocks}};
  }
  j["max_num_seqs"] = c.scheduler.max_num_seqs;
  j["max_num_batched_tokens"] = c.scheduler.max_num_batched_tokens;
  j["kv_blocks"] = c.kv_blocks;
  j["batch_limit"] = Json{{"batch", c.limit.batch}, {"by", c.limit.by}};
  return j;
}

// Whether the plan searched pipeline stages (the outputs name pp only then).
bool pipelined(const app::ServingPlan& p) { return p.spec.pp != std::vector<int>{1}; }

// The tp column: "4", "4 x pp 2" for a pipelined replica, "P2 D4" for a disaggregated fleet
// (prefill tp 2, decode tp 4).
std::string tp_cell(const plan::ServingCandidate& c) {
  if (c.disagg) return fmt::format("P{} D{}", c.tp, c.disagg->decode_tp);
  return c.pp > 1 ? fmt::format("{} x pp {}", c.tp, c.pp) : std::to_string(c.tp);
}

// Replicas: "4", or "3 + 5" (prefill + decode) for a disaggregated fleet.
std::string estimate_replicas(const plan::ServingCandidate& c) {
  if (!c.disagg) return std::to_string(c.estimate.replicas);
  return fmt::format("{} + {}", c.disagg->estimate.prefill.replicas,
                     c.disagg->estimate.decode.replicas);
}

Json estimate_json(const plan::ServingCandidate& c) {
  const auto& e = c.estimate;
  Json j{{"meets", c.meets}, {"replicas", e.replicas}};
  if (c.disagg) {
    const models::DisaggEstimate& d = c.disagg->estimate;
    j["prefill_replicas"] = d.prefill.replicas;
    j["decode_replicas"] = d.decode.replicas;
    j["prefill_utilisation"] = number(d.prefill.utilisation);
    j["transfer_ms"] = number(d.transfer_s * 1e3);
  }
  j.update(Json{
      {"gpus", c.gpus()},
      {"batch", e.batch},
      {"utilisation", number(e.utilisation)},
      {"ttft_ms", number(e.ttft_s * 1e3)},
      {"tpot_ms", number(e.tpot_s * 1e3)},
      {"unloaded_ttft_ms", number(c.unloaded_ttft_s * 1e3)},
      {"unloaded_tpot_ms", number(c.unloaded_tpot_s * 1e3)},
      {"replica_capacity_per_s", number(c.capacity_per_s)},
      {"usd_per_million_tokens", c.cost ? number(c.cost->usd_per_million_tokens) : Json(nullptr)}});
  return j;
}

Json row_json(const app::ServingPlan& p, const app::ServingPlanRow& r) {
  const auto& c = cand(p, r);
  Json j = config_json(p, c);
  j["estimate"] = estimate_json(c);
  Json sim{{"meets", r.meets}, {"replicas", r.replicas}};
  if (c.disagg) {
    sim["replicas"] = r.replicas + r.decode_replicas;
    sim["prefill_replicas"] = r.replicas;
    sim["decode_replicas"] = r.decode_replicas;
  }
  sim.update(Json{{"gpus", r.gpus(c)},
                  {"ttft_ms", number(r.ttft_s * 1e3)},
                  {"tpot_ms", number(r.tpot_s * 1e3)},
                  {"worst_seed", r.worst_seed},
                  {"goodput_per_s", number(r.goodput_per_s)},
                  {"little_relative_error", round_sig(r.little_error, 2)},
                  {"cost", cost_json(r.cost)}});
  j["simulated"] = sim;
  return j;
}

std::string render_json(const app::ServingPlan& p) {
  Json j;
  j["scenario"] = p.scenario_name;
  j["mode"] = "serving-plan";
  j["model"] = p.model_name;
  j["objective"] = to_string(p.spec.objective);
  j["arrivals"] = p.arrivals;
  j["requests"] = p.requests;
  j["seed"] = p.seed;
  j["seeds"] = p.spec.seeds;
  j["slo"] = Json{{"percentile", p.spec.slo_percentile},
                  {"ttft_ms", ms_json(p.slo.ttft_s)},
                  {"tpot_ms", ms_json(p.slo.tpot_s)}};
  const auto& w = p.workload;
  j["workload"] = Json{{"rate_per_s", round_sig(w.rate_per_s)},
                       {"mean_input_tokens", round_sig(w.mean_input)},
                       {"mean_output_tokens", round_sig(w.mean_output)},
                       {"input_tokens_at_percentile", w.input_at_percentile}};
  Json searched{{"instances", p.instances.size()}, {"tp", p.spec.tp}};
  if (pipelined(p)) searched["pp"] = p.spec.pp;
  searched["max_num_seqs"] = p.spec.max_num_seqs;
  searched["max_num_batched_tokens"] = p.spec.max_num_batched_tokens;
  if (p.spec.disaggregation) {
    const models::DisaggPlanSpec& d = *p.spec.disaggregation;
    searched["disaggregation"] = Json{{"prefill_tp", d.prefill_tp},
                                      {"decode_tp", d.decode_tp},
                                      {"transfer", to_string(d.transfer)}};
  }
  searched["max_replicas"] = p.spec.max_replicas;
  j["searched"] = searched;
  j["combinations"] = p.search.combinations;
  j["infeasible"] = p.search.infeasible;
  Json pruned = Json::object();
  for (const auto& [reason, n] : p.search.pruned) pruned[reason] = n;
  j["pruned"] = pruned;
  j["estimated"] = p.search.candidates.size();
  j["meet_by_estimate"] = p.search.ranked.size();
  j["resimulated"] = p.rows.size();
  j["best"] = p.best ? row_json(p, p.rows[*p.best]) : Json(nullptr);
  j["no_plan"] = p.best ? Json(nullptr) : Json(p.no_plan);
  Json top = Json::array();
  for (const auto& r : p.rows) top.push_back(row_json(p, r));
  j["top"] = top;
  Json pareto = Json::array();
  for (std::size_t i : p.search.pareto) {
    Json x = config_json(p, p.search.candidates[i]);
    x["estimate"] = estimate_json(p.search.candidates[i]);
    pareto.push_back(x);
  }
  j["pareto"] = pareto;
  Json skipped = Json::array();
  for (const auto& [id, why] : p.skipped) skipped.push_back(Json{{"instance", id}, {"why", why}});
  j["skipped"] = skipped;
  j["assumptions"] = p.assumptions;
  return j.dump(2) + "\n";
}

std::string ms(double s) {
  if (!std::isfinite(s)) return "-";
  const double v = s * 1e3;
  if (v >= 100) return fmt::format("{:.0f}", v);
  if (v >= 10) return fmt::format("{:.1f}", v);
  return fmt::format("{:.2f}", v);
}

std::string per_million(const std::optional<pricing::ServingCost>& c) {
  if (!c) return "n/a";
  const double v = c->usd_per_million_tokens;
  return v >= 10 ? format::usd(v) : fmt::format("${:.3g}", v);
}

void indent_table(std::string& t, const std::vector<std::vector<std::string>>& rows) {
  const std::string table = format::pad_table(rows);
  std::size_t start = 0;
  while (start < table.size()) {
    const std::size_t end = table.find('\n', start);
    t += "  " + table.substr(start, end - start) + "\n";
    start = end == std::string::npos ? table.size() : end + 1;
  }
}

std::string render_table(const app::ServingPlan& p) {
  const int pc = p.spec.slo_percentile;
  const auto& w = p.workload;
  std::string t = fmt::format("{}: serving plan for {}, objective {}\n", p.scenario_name,
                              p.model_name, to_string(p.spec.objective));
  t += fmt::format(
      "  load: {}, {} requests (seed {}); mean prompt {:.0f}, mean output {:.0f}, "
      "p{} prompt {} tokens\n",
      p.arrivals, format::count(static_cast<double>(p.requests)), p.seed, w.mean_input,
      w.mean_output, pc, w.input_at_percentile);
  std::string slo;
  if (p.slo.ttft_s) slo += fmt::format("p{} TTFT <= {} ms", pc, ms(*p.slo.ttft_s));
  if (p.slo.tpot_s) {
    slo += fmt::format("{}p{} TPOT <= {} ms", slo.empty() ? "" : ", ", pc, ms(*p.slo.tpot_s));
  }
  t += "  SLO: " + slo + "\n";
  t += fmt::format(
      "  searched: {} combinations ({} instance{} x tp x {}max_num_seqs x "
      "max_num_batched_tokens), {} pruned, {} estimated, {} meet the SLOs by "
      "estimate, {} re-simulated with {} seed{}\n",
      format::count(p.search.combinations), p.instances.size(), p.instances.size() == 1 ? "" : "s",
      pipelined(p) ? "pp x " : "", format::count(static_cast<double>(p.search.infeasible)),
      format::count(static_cast<double>(p.search.candidates.size())),
      format::count(static_cast<double>(p.search.ranked.size())), p.rows.size(), p.spec.seeds,
      p.spec.seeds == 1 ? "" : "s");
  if (p.spec.disaggregation) {
    t += fmt::format(
        "    of them disaggregated fleets: prefill tp {} x decode tp {} x max_num_seqs x "
        "max_num_batched_tokens, KV over the {} (tp \"P2 D4\" and replicas \"3 + 5\" read "
        "prefill, decode)\n",
        fmt::join(p.spec.disaggregation->prefill_tp, "/"),
        fmt::join(p.spec.disaggregation->decode_tp, "/"),
        p.spec.disaggregation->transfer == models::KvTransferLink::kNvlink ? "scale-up link"
                                                                           : "NICs");
  }
  for (const auto& [reason, n] : p.search.pruned) {
    t += fmt::format("    pruned {}: {}\n", format::count(static_cast<double>(n)), reason);
  }
  if (p.best) {
    const auto& r = p.rows[*p.best];
    const auto& c = cand(p, r);
    if (c.disagg) {
      t += fmt::format(
          "\nBEST: disaggregated on {}: {} prefill replica{} of tp {} + {} decode replica{} of "
          "tp {} ({} GPUs), max_num_seqs {}, max_num_batched_tokens {}\n",
          p.instances[c.instance].id, r.replicas, r.replicas == 1 ? "" : "s", c.tp,
          r.decode_replicas, r.decode_replicas == 1 ? "" : "s", c.disagg->decode_tp, r.gpus(c),
          c.scheduler.max_num_seqs, c.scheduler.max_num_batched_tokens);
      t += fmt::format("  KV transfer: {}\n", c.disagg->link.basis);
    } else {
      t += fmt::format(
          "\nBEST: {} x {} tp {} ({} GPUs), max_num_seqs {}, max_num_batched_tokens "
          "{}\n",
          r.replicas, p.instances[c.instance].id, tp_cell(c), r.gpus(c), c.scheduler.max_num_seqs,
          c.scheduler.max_num_batched_tokens);
    }
    t += fmt::format(
        "  simulated: p{} TTFT {} ms, p{} TPOT {} ms (the worst of {} seeds), "
        "goodput {:.2f} req/s, {} per million tokens{}\n",
        pc, ms(r.ttft_s), pc, ms(r.tpot_s), p.spec.seeds, r.goodput_per_s, per_million(r.cost),
        r.cost ? fmt::format(" ({})", format::usd_rate(r.cost->usd_per_hour)) : "");
    t += fmt::format(
        "  estimated: {} replicas, p{} TTFT {} ms, p{} TPOT {} ms at a {}batch of {} "
        "({} of the {} the {} allows)\n",
        estimate_replicas(c), pc, ms(c.estimate.ttft_s), pc, ms(c.estimate.tpot_s),
        c.disagg ? "decode " : "", c.estimate.batch, format::percent(c.estimate.utilisation),
        c.limit.batch, c.limit.by);
  } else {
    t += "\nno plan: " + p.no_plan + "\n";
  }
  if (!p.rows.empty()) {
    t += fmt::format("\ntop {} (estimated, then re-simulated; TTFT and TPOT at p{}, ms)\n",
                     p.rows.size(), pc);
    std::vector<std::vector<std::string>> rows = {
        {"instance", "tp", "seqs", "tokens", "est repl", "est TTFT", "est TPOT", "replicas", "TTFT",
         "TPOT", "goodput/s", "$/M tok", "GPUs", "meets"}};
    for (const auto& r : p.rows) {
      const auto& c = cand(p, r);
      rows.push_back({p.instances[c.instance].id, tp_cell(c),
                      std::to_string(c.scheduler.max_num_seqs),
                      std::to_string(c.scheduler.max_num_batched_tokens), estimate_replicas(c),
                      ms(c.estimate.ttft_s), ms(c.estimate.tpot_s), r.replicas_text(c),
                      ms(r.ttft_s), ms(r.tpot_s), fmt::format("{:.2f}", r.goodput_per_s),
                      per_million(r.cost), std::to_string(r.gpus(c)), r.meets ? "yes" : "no"});
    }
    indent_table(t, rows);
  }
  if (!p.search.pareto.empty()) {
    t += fmt::format("\nPareto frontier, estimated: cost per million tokens vs p{} TTFT\n", pc);
    std::vector<std::vector<std::string>> rows = {
        {"instance", "tp", "seqs", "tokens", "replicas", "TTFT ms", "$/M tok"}};
    for (std::size_t i : p.search.pareto) {
      const auto& c = p.search.candidates[i];
      rows.push_back({p.instances[c.instance].id, tp_cell(c),
                      std::to_string(c.scheduler.max_num_seqs),
                      std::to_string(c.scheduler.max_num_batched_tokens), estimate_replicas(c),
                      ms(c.estimate.ttft_s), per_million(c.cost)});
    }
    indent_table(t, rows);
  }
  if (!p.skipped.empty()) {
    t += fmt::format("\n  {} instance{} left out (cirrus presets instances says why)\n",
                     p.skipped.size(), p.skipped.size() == 1 ? "" : "s");
  }
  t += "\n  assumptions:\n";
  for (const std::string& a : p.assumptions) t += "    - " + a + "\n";
  return t;
}

}  // namespace

std::string render_serving_plan(const app::ServingPlan& plan, const std::string& format) {
  return format == "json" ? render_json(plan) : render_table(plan);
}

}  // namespace cirrus::reports
