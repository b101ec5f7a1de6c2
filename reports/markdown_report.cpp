// The Markdown summary: the chosen configuration, the frontier, the breakdowns and the costs as
// tables, for a pull request or a notebook.
#include <fmt/format.h>

#include "reports/report_files.hpp"
#include "reports/report_format.hpp"
#include "reports/uncertainty_render.hpp"

namespace cirrus::reports {
namespace {

std::string cell(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '|')
      o += "\\|";
    else if (c == '\n')
      o += ' ';
    else
      o += c;
  }
  return o;
}

std::string md_table(const std::vector<std::string>& head,
                     const std::vector<std::vector<std::string>>& rows) {
  std::string o = "|";
  for (const auto& h : head) o += fmt::format(" {} |", cell(h));
  o += "\n|";
  for (std::size_t i = 0; i < head.size(); ++i) o += " --- |";
  o += "\n";
  for (const auto& r : rows) {
    o += "|";
    for (const auto& c : r) o += fmt::format(" {} |", cell(c));
    o += "\n";
  }
  return o + "\n";
}

}  // namespace

std::string render_markdown(const Report& r) {
  std::string o = fmt::format("# {}\n\n", r.title);
  o += fmt::format("cirrus report of `{}`: {}; {}, {} prices.\n\n", r.scenario_file,
                   r.open_choices.empty() ? "a pinned configuration" : "a plan", r.objective,
                   r.pricing);
  if (r.best) {
    const auto& c = r.candidates[*r.best];
    const auto& d = r.details.front().result;
    o += "## Chosen configuration\n\n";
    o += md_table(
        {"instance", "nodes", "GPUs", "strategy", "step", "MFU", "run time", "run cost"},
        {{c.instance, std::to_string(c.nodes), std::to_string(c.gpus), strategy_short(c.strategy),
          format::seconds(c.step_time_s) +
              (c.sigma ? fmt::format(" \u00b1{:.2g}%", 100.0 * *c.sigma) : std::string()),
          format::percent(d.mfu),
          fmt::format("{:.1f} days", c.run_days) +
              (c.sigma ? fmt::format(" ({})", range_text(models::band(c.run_days, *c.sigma), 1))
                       : std::string()),
          format::usd(c.usd_total) +
              (c.sigma && c.usd_total
                   ? fmt::format(" ({} to {})",
                                 format::usd(models::band(*c.usd_total, *c.sigma).low),
                                 format::usd(models::band(*c.usd_total, *c.sigma).high))
                   : std::string())}});
    if (r.best_uncertainty) {
      for (const auto& n : models::uncertainty_notes(*r.best_uncertainty)) {
        o += fmt::format("- {}\n", n);
      }
      o += "\n";
    }
  } else {
    o += fmt::format("**No configuration chosen**: {}\n\n", r.no_best_reason);
  }
  if (!r.open_choices.empty()) {
    o += fmt::format(
        "Searched {} raw combinations: {} evaluated, {} pruned, {} re-simulated "
        "with the engine.\n\n",
        format::count(r.raw_combinations), format::count(static_cast<double>(r.evaluated)),
        format::count(static_cast<double>(r.pruned)), r.refined);
  }
  auto row_of = [&](std::size_t i) {
    const auto& c = r.candidates[i];
    return std::vector<std::string>{c.instance + (c.best ? " (chosen)" : ""),
                                    std::to_string(c.nodes),
                                    strategy_short(c.strategy),
                                    format::seconds(c.step_time_s),
                                    fmt::format("{:.1f}", c.run_days),
                                    format::usd(c.usd_total)};
  };
  if (r.pareto.size() > 1) {
    o += "## Pareto frontier (run time against cost)\n\n";
    std::vector<std::vector<std::string>> rows;
    for (std::size_t k = 0; k < r.pareto.size() && k < 30; ++k) rows.push_back(row_of(r.pareto[k]));
    o += md_table({"instance", "nodes", "strategy", "step", "days", "cost"}, rows);
  }
  if (!r.details.empty()) {
    o += "## Step-time breakdown (s per step, critical stage)\n\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& d : r.details) {
      if (!d.result.feasible) continue;
      const auto& b = d.result.breakdown;
      rows.push_back({d.label, fmt::format("{:.3g}", d.result.step_time_s),
                      fmt::format("{:.3g}", b.compute), fmt::format("{:.3g}", b.recompute),
                      fmt::format("{:.3g}", b.tp_comm), fmt::format("{:.3g}", b.cp_comm),
                      fmt::format("{:.3g}", b.pp_comm), fmt::format("{:.3g}", b.dp_comm),
                      fmt::format("{:.3g}", b.pp_bubble), fmt::format("{:.3g}", b.optimizer),
                      fmt::format("{:.3g}", b.ep_comm), fmt::format("{:.3g}", b.offload)});
    }
    o += md_table({"candidate", "step", "compute", "recompute", "TP", "CP", "PP", "DP", "bubble",
                   "optimizer", "EP", "offload"},
                  rows);
    o += "## Memory per GPU (GiB, most loaded rank)\n\n";
    rows.clear();
    for (const auto& d : r.details) {
      const auto& m = d.result.memory;
      rows.push_back({d.label, fmt::format("{:.1f}", m.params), fmt::format("{:.1f}", m.grads),
                      fmt::format("{:.1f}", m.optimizer), fmt::format("{:.1f}", m.activations),
                      fmt::format("{:.1f}", m.buffers), fmt::format("{:.1f}", m.total),
                      fmt::format("{:.1f}", m.capacity)});
    }
    o += md_table({"candidate", "params", "grads", "optimizer", "activations", "buffers", "total",
                   "capacity"},
                  rows);
  }
  if (r.timeline) {
    o += "## Pipeline (one step of the chosen configuration)\n\n";
    std::vector<std::vector<std::string>> rows;
    for (std::size_t st = 0; st < r.timeline->idle_fraction.size(); ++st) {
      rows.push_back({std::to_string(st), format::percent(r.timeline->idle_fraction[st])});
    }
    o += md_table({"stage", "compute stream idle"}, rows);
  }
  if (!r.pricing_rows.empty()) {
    o += "## Cost by pricing model\n\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& p : r.pricing_rows) {
      if (!p.offered) {
        rows.push_back({p.model, "not offered", "", "", ""});
        continue;
      }
      rows.push_back({p.model + (p.chosen ? " *" : ""), format::usd_rate(p.usd_per_hour),
                      r.run_steps > 0 ? format::usd(p.usd_total) : "-",
                      r.run_steps > 0 ? format::duration(p.run_time_s) : "-",
                      fmt::format("{:.1f}", p.expected_interruptions)});
    }
    o += md_table({"pricing", "cluster", "run", "run time", "interruptions"}, rows);
    o += "\\* the scenario's pricing model.\n\n";
  }
  o += "## Scenario\n\n";
  {
    std::vector<std::vector<std::string>> rows;
    for (const auto& [k, v] : r.scenario_facts) rows.push_back({k, v});
    o += md_table({"", ""}, rows);
  }
  o += "## Calibration\n\n";
  o += fmt::format("{}\n\n", r.calibration);
  o += r.calibrated ? "Calibrated: every figure from a measured profile.\n\n"
                    : "**Not calibrated**: the numbers rest on these defaults.\n\n";
  for (const auto& a : r.assumptions) o += fmt::format("- {}\n", a);
  for (const auto& a : r.pricing_assumptions) o += fmt::format("- {}\n", a);
  o += "\n## Catalog sources\n\n";
  if (r.catalog_sources.empty()) {
    o += "No catalog prices were used.\n";
  } else {
    std::vector<std::vector<std::string>> rows;
    for (const auto& s : r.catalog_sources) {
      rows.push_back({s.instance, s.pricing, format::usd_rate(s.usd_per_instance_hour), s.retrieved,
                      s.source + (s.verified ? "" : " (recalled, unverified)")});
    }
    o += md_table({"instance", "pricing", "price", "retrieved", "source"}, rows);
  }
  return o;
}

}  // namespace cirrus::reports
