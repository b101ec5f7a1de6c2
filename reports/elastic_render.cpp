#include "reports/elastic_render.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "reports/report_format.hpp"

namespace cirrus::reports {

std::string render_elastic_json(const app::ElasticResult& r) {
  nlohmann::json j;
  j["scenario"] = r.scenario_name;
  j["price"] = r.price_note;
  j["calibration"] = r.calibration;
  nlohmann::json phases = nlohmann::json::array();
  for (const auto& p : r.run.phases) {
    phases.push_back({{"start_h", round_sig(p.start_h)},
                      {"end_h", round_sig(p.end_h)},
                      {"nodes", p.nodes},
                      {"dp", p.dp},
                      {"held", p.held},
                      {"feasible", p.feasible},
                      {"reason", p.reason},
                      {"step_time_s", round_sig(p.step_time_s)},
                      {"reshard_s", round_sig(p.reshard_s)},
                      {"tokens", round_sig(p.tokens)},
                      {"usd", round_sig(p.usd)}});
  }
  j["phases"] = phases;
  j["total"] = {{"tokens", round_sig(r.run.tokens)},
                {"hours", round_sig(r.run.hours)},
                {"reshard_hours", round_sig(r.run.reshard_hours)},
                {"usd", round_sig(r.run.usd)},
                {"completes", r.run.completes}};
  if (r.fixed) {
    j["spot"] = {{"interruptions_per_node_hour", r.spec.spot->per_node_hour},
                 {"rate_source", r.rate_note.empty() ? "given" : r.rate_note},
                 {"replacement_hours", r.spec.spot->replacement_hours},
                 {"seed", r.spec.spot->seed}};
    j["fixed_on_demand"] = {{"hours", round_sig(r.fixed->hours)},
                            {"usd", round_sig(r.fixed->usd)},
                            {"usd_per_node_hour", r.on_demand_usd}};
  }
  return j.dump(2) + "\n";
}

std::string render_elastic_table(const app::ElasticResult& r) {
  std::string text;
  text = fmt::format("{}: elastic run of {} tokens; {}\n  calibration: {}\n\n", r.scenario_name,
                     format::tokens(r.tokens), r.price_note, r.calibration);
  text += fmt::format("  {:>9}  {:>9}  {:>6}  {:>5}  {:>10}  {:>10}  {:>12}  {:>9}  {:>12}\n",
                      "start h", "end h", "nodes", "dp", "step s", "reshard s", "tokens", "hours",
                      "USD");
  for (const auto& p : r.run.phases) {
    if (p.paused) {
      text += fmt::format(
          "  {:>9.2f}  {:>9.2f}  {:>6}  {:>5}  paused ({} nodes held)  {:>9.2f}  {:>12.0f}\n",
          p.start_h, p.end_h, p.nodes, p.dp, p.held, p.end_h - p.start_h, p.usd);
      continue;
    }
    if (!p.feasible) {
      text += fmt::format("  {:>9.2f}  {:>9.2f}  {:>6}  {:>5}  cannot run: {}\n", p.start_h,
                          p.end_h, p.nodes, p.dp, p.reason);
      continue;
    }
    text += fmt::format(
        "  {:>9.2f}  {:>9.2f}  {:>6}  {:>5}  {:>10.3f}  {:>10.0f}  {:>12}  {:>9.2f}  "
        "{:>12}\n",
        p.start_h, p.end_h,
        p.held > p.nodes ? fmt::format("{}/{}", p.nodes, p.held) : fmt::format("{}", p.nodes), p.dp,
        p.step_time_s, p.reshard_s, format::tokens(p.tokens), p.end_h - p.start_h,
        format::usd(p.usd));
  }
  if (r.spec.spot)
    text += "  (nodes training/held where spares cannot be used: all held are paid for)\n";
  text += fmt::format("\n  total: {} tokens in {} ({:.2f} h re-sharding), {}{}\n",
                      format::tokens(r.run.tokens), format::duration(r.run.hours * 3600),
                      r.run.reshard_hours, format::usd(r.run.usd),
                      r.run.completes ? "" : fmt::format(" — does not complete: {}", r.run.reason));
  if (r.fixed) {
    const auto& sp = *r.spec.spot;
    text += fmt::format(
        "  spot: {} interruptions per node-hour, replacement after {} h, seed {}; {} changes\n"
        "  fixed {} nodes on demand: {}, {}; spot run {:+.1f}% hours, {:+.1f}% cost\n",
        r.rate_note.empty() ? fmt::format("{:.3g}", sp.per_node_hour)
                            : fmt::format("{:.3g} ({})", sp.per_node_hour, r.rate_note),
        sp.replacement_hours, sp.seed, r.run.phases.size() - 1, r.nodes,
        format::duration(r.fixed->hours * 3600), format::usd(r.fixed->usd),
        r.fixed->hours > 0 ? (r.run.hours / r.fixed->hours - 1) * 100 : 0.0,
        r.fixed->usd > 0 ? (r.run.usd / r.fixed->usd - 1) * 100 : 0.0);
  }
  return text;
}

}  // namespace cirrus::reports
