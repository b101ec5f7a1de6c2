// The HTML report: one self-contained page, charts as inline SVG (svg_charts.hpp).
#include <fmt/format.h>
#include <algorithm>
#include <cmath>

#include "reports/report_files.hpp"
#include "reports/report_format.hpp"
#include "reports/svg_charts.hpp"
#include "reports/uncertainty_render.hpp"

namespace cirrus::reports {
namespace {

using svg::escape;

constexpr const char* kCss = R"(
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",Arial,sans-serif;
 margin:0;padding:16px 24px;color:#1d2330;background:#fafbfc;line-height:1.4}
main{max-width:1180px;margin:0 auto}
h1{font-size:24px;margin:4px 0 2px}
h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #dde1e6;padding-bottom:4px}
.sub{color:#5b6472;font-size:13px;margin:0 0 12px;overflow-wrap:anywhere}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}
.card{background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:8px 12px;
 min-width:150px;max-width:100%}
.card b{display:block;font-size:18px}.card span{font-size:12px;color:#5b6472}
figure{margin:12px 0 20px;background:#fff;border:1px solid #dde1e6;border-radius:6px;
 padding:10px 12px}
figcaption{font-size:12px;color:#5b6472;margin-top:4px}
svg.chart{width:100%;height:auto;display:block;font-family:inherit}
.ctitle{font-size:15px;font-weight:600;fill:#1d2330}
.legend,.tick,.blabel{font-size:12px;fill:#1d2330}.tick{fill:#5b6472}
.alabel{font-size:12px;fill:#1d2330;font-weight:600}.note{font-size:12px;fill:#8a4b00}
.plabel{font-size:11px;fill:#1d2330}.leader{stroke:#8a94a3;stroke-width:0.8}
.clabel{font-size:12px;font-weight:700;fill:#b8002e}
.btext{font-size:11px;fill:#fff}
.axis{stroke:#1d2330;stroke-width:1}.grid{stroke:#e3e6ea;stroke-width:1}
.marker{stroke:#b8002e;stroke-width:2.5}
.dot{fill:#9aa5b1;fill-opacity:.55}.front{fill:#4e79a7;stroke:#fff;stroke-width:1}
.frontline{fill:none;stroke:#4e79a7;stroke-width:1.5}
.chosen{fill:none;stroke:#b8002e;stroke-width:2.5}.idle{fill:#eef0f3}
.front.broken{fill:#fff;stroke:#4e79a7;stroke-width:1.5}
.limit{stroke:#b8002e;stroke-width:1;stroke-dasharray:5 4}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;font-size:13px;background:#fff;margin:6px 0 12px}
th,td{border:1px solid #dde1e6;padding:3px 8px;text-align:left;vertical-align:top;
 overflow-wrap:anywhere}
th{background:#f0f2f5}td.n{text-align:right;white-space:nowrap}
.ok{color:#1a7f37;font-weight:600}.warn{color:#8a4b00;font-weight:600}
ul{margin:4px 0 8px;padding-left:22px}li{overflow-wrap:anywhere}
footer{color:#5b6472;font-size:12px;margin:24px 0 8px}
)";

}  // namespace

const char* report_css() { return kCss; }

namespace {

const std::vector<svg::Series> kBreakdown = {{"compute", "#4e79a7"},
                                             {"recompute", "#a0cbe8"},
                                             {"TP comm (exposed)", "#f28e2b"},
                                             {"CP comm (exposed)", "#ffbe7d"},
                                             {"PP comm (exposed)", "#59a14f"},
                                             {"DP comm (exposed)", "#8cd17d"},
                                             {"pipeline bubble", "#bab0ac"},
                                             {"optimizer", "#e15759"},
                                             {"EP all-to-all (exposed)", "#b07aa1"},
                                             {"offload (exposed)", "#9c755f"}};
const std::vector<svg::Series> kMemory = {{"parameters", "#4e79a7"},
                                          {"gradients", "#f28e2b"},
                                          {"optimizer states", "#e15759"},
                                          {"activations", "#59a14f"},
                                          {"buffers", "#b07aa1"}};
const std::vector<svg::Series> kActivities = {{"forward", "#4e79a7"},
                                              {"backward", "#f28e2b"},
                                              {"recompute", "#a0cbe8"},
                                              {"optimizer", "#e15759"},
                                              {"communication", "#59a14f"}};
const std::vector<svg::Series> kCost = {{"training steps", "#4e79a7"},
                                        {"checkpoint writes", "#f28e2b"},
                                        {"interruptions (rework, restarts)", "#e15759"}};

// A chart that cannot be drawn still has its id, title and the reason.
std::string placeholder(const std::string& id, const std::string& title, const std::string& why) {
  return fmt::format(
      "<svg id=\"{0}\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1100 "
      "70\" role=\"img\" aria-label=\"{1}\"><title>{1}</title><text x=\"0\" y=\"18\" "
      "class=\"ctitle\">{1}</text><text x=\"0\" y=\"46\" class=\"note\">{2}</text></svg>\n",
      escape(id), escape(title), escape(why));
}

std::string figure(const std::string& chart, const std::string& caption) {
  return "<figure>\n" + chart + "<figcaption>" + escape(caption) + "</figcaption></figure>\n";
}

std::string pareto_chart(const Report& r) {
  const std::string title = "Pareto frontier: run time against cost";
  svg::Scatter c;
  c.id = "chart-pareto";
  c.title = title;
  c.x_label = "run time (days)";
  c.y_label = fmt::format("run cost (USD, {})", r.pricing);
  c.cloud_name = "feasible candidate";
  c.frontier_name = "Pareto frontier (instance x nodes, strategy)";
  c.chosen_name = "chosen";
  std::vector<char> on_front(r.candidates.size(), 0);
  for (std::size_t i : r.pareto) on_front[i] = 1;
  auto point = [&](std::size_t i) {
    const auto& k = r.candidates[i];
    svg::LabelledPoint p;
    p.x = k.run_days;
    p.y = k.usd_total.value_or(0);
    p.label = fmt::format("{} x{}, {}", k.instance, k.nodes, strategy_short(k.strategy));
    p.tooltip = fmt::format("{}: {:.1f} days, {}{}", p.label, k.run_days, format::usd(k.usd_total),
                            k.meets_limits ? "" : " (outside the objective's limits)");
    p.breaks_limits = !k.meets_limits;
    return p;
  };
  for (std::size_t i = 0; i < r.candidates.size(); ++i) {
    const auto& k = r.candidates[i];
    if (!k.feasible || !k.usd_total || on_front[i]) continue;
    c.cloud.push_back(point(i));
  }
  for (std::size_t i : r.pareto) {
    if (r.candidates[i].usd_total) c.frontier.push_back(point(i));
  }
  if (r.best && r.candidates[*r.best].usd_total) c.chosen = point(*r.best);
  c.zoom_to_frontier = true;
  if (r.max_days) {
    c.x_limit = *r.max_days;
    c.x_limit_name = fmt::format("deadline {:.4g} days", *r.max_days);
  }
  if (r.max_usd) {
    c.y_limit = *r.max_usd;
    c.y_limit_name = "budget " + format::usd(*r.max_usd);
  }
  if (c.frontier.empty() && !c.chosen) {
    return placeholder(c.id, title,
                       "no candidate has a price (no catalog instance, or none offered under " +
                           r.pricing + " pricing): nothing to trade off");
  }
  if (r.open_choices.empty()) {
    c.note = "a pinned scenario: one configuration, nothing to trade off";
  } else {
    c.note = fmt::format("{} feasible candidates drawn as dots (one per 3 px), {} on the frontier",
                         format::count(static_cast<double>(c.cloud.size() + c.frontier.size())),
                         c.frontier.size());
  }
  return svg::scatter(c);
}

std::string breakdown_chart(const Report& r) {
  const std::string title = "Where a step's time goes (critical stage)";
  if (r.details.empty() || !r.details.front().result.feasible) {
    return placeholder("chart-breakdown", title, "no feasible configuration to break down");
  }
  svg::StackedBars c;
  c.id = "chart-breakdown";
  c.title = title;
  c.x_label = "time per optimizer step (s)";
  c.unit = "s";
  c.series = kBreakdown;
  for (const auto& d : r.details) {
    if (!d.result.feasible) continue;
    const auto& b = d.result.breakdown;
    const bool best = r.best && d.candidate == *r.best;
    c.bars.push_back((best ? "\u2605 " : "") + d.label);
    c.values.push_back({b.compute, b.recompute, b.tp_comm, b.cp_comm, b.pp_comm, b.dp_comm,
                        b.pp_bubble, b.optimizer, b.ep_comm, b.offload});
    c.notes.push_back(fmt::format("{} ({})", format::seconds(d.result.step_time_s),
                                  r.candidates[d.candidate].estimate));
  }
  return svg::stacked_bars(c);
}

std::string memory_chart(const Report& r) {
  const std::string title = "Memory per GPU (most loaded rank) against capacity";
  if (r.details.empty()) return placeholder("chart-memory", title, "no configuration evaluated");
  svg::StackedBars c;
  c.id = "chart-memory";
  c.title = title;
  c.x_label = "memory per GPU (GiB)";
  c.unit = "GiB";
  c.series = kMemory;
  c.marker_label = "GPU memory capacity";
  for (const auto& d : r.details) {
    const auto& m = d.result.memory;
    const bool best = r.best && d.candidate == *r.best;
    c.bars.push_back((best ? "\u2605 " : "") + d.label);
    c.values.push_back({m.params, m.grads, m.optimizer, m.activations, m.buffers});
    c.markers.push_back(m.capacity > 0 ? std::optional<double>(m.capacity) : std::nullopt);
    c.notes.push_back(fmt::format("{} of {}", format::gib(m.total), format::gib(m.capacity)));
  }
  return svg::stacked_bars(c);
}

std::string timeline_chart(const Report& r) {
  const std::string title = "Pipeline timeline of one step (chosen configuration)";
  if (!r.timeline)
    return placeholder("chart-timeline", title, "no feasible configuration simulated");
  const Timeline& t = *r.timeline;
  const bool ms = t.makespan_s < 2.0;
  const double scale = ms ? 1e3 : 1.0;
  svg::Lanes c;
  c.id = "chart-timeline";
  c.title = title;
  c.x_label = ms ? "time since the step began (ms)" : "time since the step began (s)";
  c.series = kActivities;
  c.idle_name = "idle";
  c.x_max = t.makespan_s * scale;
  // A deep pipeline would make the chart taller than a screen: at most kMaxTimelineStages
  // stages, evenly chosen with the first and the last, and the title says so.
  constexpr int kMaxTimelineStages = 16;
  std::vector<int> row_of(static_cast<std::size_t>(std::max(t.stages, 0)), -1);
  const int shown = std::min(t.stages, kMaxTimelineStages);
  for (int i = 0; i < shown; ++i) {
    const int st =
        shown > 1
            ? static_cast<int>(std::lround(static_cast<double>(i) * (t.stages - 1) / (shown - 1)))
            : 0;
    row_of[static_cast<std::size_t>(st)] = i;
    // Past 8 stages the lanes narrow, so that 16 stages stay about a screen tall.
    c.rows.push_back(fmt::format("stage {} compute", st));
    c.row_height.push_back(shown > 8 ? 0.7 : 1.0);
    c.rows.push_back(fmt::format("stage {} comm", st));
    c.row_height.push_back(shown > 8 ? 0.4 : 0.5);
  }
  if (shown < t.stages) {
    c.title += fmt::format(": {} of its {} stages, evenly chosen", shown, t.stages);
  }
  for (const auto& b : t.blocks) {
    if (b.stage < 0 || b.stage >= t.stages || row_of[static_cast<std::size_t>(b.stage)] < 0) {
      continue;
    }
    svg::Block k;
    k.row = row_of[static_cast<std::size_t>(b.stage)] * 2 + (b.lane == 0 ? 0 : 1);
    k.start = b.start_s * scale;
    k.end = b.end_s * scale;
    k.series = static_cast<int>(b.activity);
    if (b.micro_batch >= 0 &&
        (b.activity == Activity::kForward || b.activity == Activity::kBackward)) {
      k.text = fmt::format("{}{}", b.activity == Activity::kForward ? "F" : "B", b.micro_batch);
    }
    k.tooltip = fmt::format(
        "stage {}: {}{} {} to {}", b.stage, to_string(b.activity),
        b.micro_batch >= 0 ? fmt::format(" (micro-batch {})", b.micro_batch) : std::string(),
        format::duration(b.start_s), format::duration(b.end_s));
    c.blocks.push_back(std::move(k));
  }
  return svg::lanes(c);
}

std::string cost_chart(const Report& r) {
  const std::string title = "Run cost under each pricing model (chosen configuration)";
  if (r.pricing_rows.empty()) {
    // Say the real reason: nothing could run (out of memory, ...), or no instance to price.
    const std::string why =
        !r.best
            ? "no configuration to price: " +
                  (r.no_best_reason.empty() ? std::string("none is feasible") : r.no_best_reason)
            : std::string(
                  "no catalog price for the chosen configuration (a bare node "
                  "preset, no cluster.instance)");
    return placeholder("chart-cost", title, why);
  }
  const bool per_run = r.run_steps > 0;
  svg::StackedBars c;
  c.id = "chart-cost";
  c.title = title;
  c.x_label = per_run ? "cost of the run (USD)" : "cost per hour of the cluster (USD)";
  c.unit = "USD";
  c.series = per_run ? kCost : std::vector<svg::Series>{{"cluster price per hour", "#4e79a7"}};
  for (const auto& p : r.pricing_rows) {
    c.bars.push_back(p.model + (p.chosen ? " (scenario's)" : ""));
    if (!p.offered) {
      c.values.push_back({0, 0, 0});
      c.notes.push_back("not offered");
    } else if (!p.completes || !std::isfinite(p.usd_total)) {
      c.values.push_back({0, 0, 0});
      c.notes.push_back("never ends");
    } else if (per_run) {
      c.values.push_back({p.usd_work, p.usd_checkpoints, p.usd_interruptions});
      c.notes.push_back(format::usd(p.usd_total) + ", " + format::duration(p.run_time_s));
    } else {
      c.values.push_back({p.usd_per_hour});
      c.notes.push_back(format::usd_rate(p.usd_per_hour));
    }
  }
  return svg::stacked_bars(c);
}

std::string table(const std::vector<std::string>& head,
                  const std::vector<std::vector<std::string>>& rows,
                  const std::vector<bool>& numeric = {}) {
  std::string o = "<div class=\"scroll\"><table><tr>";
  for (const auto& h : head) o += "<th>" + escape(h) + "</th>";
  o += "</tr>\n";
  for (const auto& row : rows) {
    o += "<tr>";
    for (std::size_t i = 0; i < row.size(); ++i) {
      const bool n = i < numeric.size() && numeric[i];
      o += (n ? "<td class=\"n\">" : "<td>") + escape(row[i]) + "</td>";
    }
    o += "</tr>\n";
  }
  return o + "</table></div>\n";
}

std::vector<std::string> candidate_row(const Report& r, std::size_t i) {
  const auto& c = r.candidates[i];
  return {c.instance + (c.best ? " \u2605" : ""),
          std::to_string(c.nodes),
          std::to_string(c.gpus),
          strategy_short(c.strategy),
          format::seconds(c.step_time_s),
          fmt::format("{:.1f}", c.run_days),
          format::usd(c.usd_total),
          c.estimate};
}

}  // namespace

std::string render_html(const Report& r) {
  std::string o;
  o += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  o += "<title>" + escape(r.title) + " \u2014 cirrus report</title>\n<style>" + kCss +
       "</style>\n</head><body><main>\n";
  o += "<h1>" + escape(r.title) + "</h1>\n";
  o += "<p class=\"sub\">cirrus report of <code>" + escape(r.scenario_file) + "</code> \u00b7 " +
       escape(r.open_choices.empty() ? "a pinned configuration, simulated"
                                     : "a plan over the scenario's open choices") +
       " \u00b7 " + escape(r.objective) + ", " + escape(r.pricing) + " prices</p>\n";

  // Headline cards.
  o += "<div class=\"cards\">";
  auto card = [&](const std::string& value, const std::string& what) {
    o += "<div class=\"card\"><b>" + escape(value) + "</b><span>" + escape(what) + "</span></div>";
  };
  if (r.best) {
    const auto& c = r.candidates[*r.best];
    const auto& d = r.details.front().result;
    card(fmt::format("{} x {}", c.instance, c.nodes), fmt::format("chosen: {} GPUs", c.gpus));
    card(strategy_short(c.strategy), "strategy");
    // The error bars (models/step/uncertainty.hpp): the band on each card, the basis below.
    const std::optional<double> sigma = c.sigma;
    card(format::seconds(c.step_time_s) +
             (sigma ? fmt::format(" \u00b1{:.2g}%", 100.0 * *sigma) : std::string()),
         sigma ? "per optimizer step (1 sigma)" : "per optimizer step (error unknown)");
    card(format::percent(d.mfu),
         fmt::format("MFU ({:.0f} TFLOP/s per GPU)", d.model_tflops_per_gpu));
    card(fmt::format("{:.1f} days", c.run_days),
         sigma ? fmt::format("run time; {} days at 1 sigma",
                             range_text(models::band(c.run_days, *sigma), 1))
               : std::string("run time"));
    card(format::usd(c.usd_total),
         "run cost, " + r.pricing +
             (sigma && c.usd_total
                  ? fmt::format("; {} to {} at 1 sigma",
                                format::usd(models::band(*c.usd_total, *sigma).low),
                                format::usd(models::band(*c.usd_total, *sigma).high))
                  : std::string()));
  } else {
    card("none", r.no_best_reason.empty() ? "no configuration" : r.no_best_reason);
  }
  card(r.calibrated ? "calibrated" : "not calibrated",
       r.calibrated                   ? "every figure from a measured profile"
       : r.calibration == "datasheet" ? "datasheet defaults; see below"
                                      : "partly: " + r.calibration + "; see below");
  o += "</div>\n";

  o += "<h2>Trade-offs</h2>\n";
  o += figure(pareto_chart(r),
              "Each dot is a feasible candidate (its run time and cost under the scenario's "
              "pricing model). Blue points are the Pareto frontier: no other candidate is both "
              "faster and cheaper. The red ring is the chosen configuration.");
  o += figure(breakdown_chart(r),
              "Time on the critical stage's compute stream, by cause; the parts sum to the step "
              "time. Communication is what compute could not hide. \u2605 = chosen; in "
              "parentheses: engine (simulated) or analytic (ranking model) estimate.");
  o += figure(memory_chart(r),
              "Peak memory per GPU on the most loaded rank; the red line is the GPU's memory.");
  o += figure(timeline_chart(r),
              "Each stage's compute stream (F = forward, B = backward, with the micro-batch) and "
              "the communication beside it (tensor, pipeline and data parallel), from the "
              "simulated task graph. Grey is idle: the pipeline bubble. `cirrus simulate "
              "--trace` writes the same step for Perfetto.");
  o += figure(cost_chart(r),
              "The chosen configuration priced under each way of paying: the simulated steps, "
              "checkpoint writes and (spot) the expected rework and restarts after "
              "interruptions, with Daly's optimal checkpoint interval.");

  // Tables.
  const std::vector<std::string> head = {"instance", "nodes", "GPUs", "strategy",
                                         "step",     "days",  "cost", "estimate"};
  const std::vector<bool> num = {false, true, true, false, true, true, true, false};
  if (!r.pareto.empty()) {
    o += "<h2>Pareto frontier</h2>\n";
    std::vector<std::vector<std::string>> rows;
    for (std::size_t k = 0; k < r.pareto.size() && k < 60; ++k)
      rows.push_back(candidate_row(r, r.pareto[k]));
    o += table(head, rows, num);
    if (r.pareto.size() > 60) {
      o += fmt::format("<p class=\"sub\">{} more in candidates.csv (column pareto)</p>\n",
                       r.pareto.size() - 60);
    }
  }
  if (r.top.size() > 1) {
    o += "<h2>Top candidates by the objective</h2>\n";
    std::vector<std::vector<std::string>> rows;
    for (std::size_t i : r.top) rows.push_back(candidate_row(r, i));
    o += table(head, rows, num);
  }
  if (!r.pricing_rows.empty()) {
    o += "<h2>Cost by pricing model</h2>\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& p : r.pricing_rows) {
      if (!p.offered) {
        rows.push_back({p.model + (p.chosen ? " *" : ""), "not offered", "", "", "", "", ""});
        continue;
      }
      rows.push_back({p.model + (p.chosen ? " *" : ""), format::usd_rate(p.usd_per_instance_hour),
                      format::usd_rate(p.usd_per_hour),
                      r.run_steps > 0 ? format::usd(p.usd_total) : "-",
                      format::usd(p.usd_per_million_tokens),
                      r.run_steps > 0 ? format::duration(p.run_time_s) : "-",
                      fmt::format("{:.1f}", p.expected_interruptions)});
    }
    o += table(
        {"pricing", "per instance", "cluster", "run", "per M tokens", "run time", "interruptions"},
        rows, {false, true, true, true, true, true, true});
    o += "<p class=\"sub\">* the scenario's pricing model. Checkpoint storage: " +
         escape(format::usd(r.storage_usd_run)) + " over the run (" + escape(r.storage_source) +
         ").</p>\n<ul>";
    for (const auto& a : r.pricing_assumptions) o += "<li>" + escape(a) + "</li>";
    o += "</ul>\n";
  }

  o += "<h2>Scenario</h2>\n";
  {
    std::vector<std::vector<std::string>> rows;
    for (const auto& [k, v] : r.scenario_facts) rows.push_back({k, v});
    o += table({"", ""}, rows);
  }
  o += "<h2>Search</h2>\n<p>";
  if (r.open_choices.empty()) {
    o += "A pinned scenario: one configuration, simulated with the engine.";
  } else {
    o += escape(fmt::format(
        "{} raw combinations: {} evaluated (priced with the analytic model), {} pruned, {} "
        "re-simulated with the engine.",
        format::count(r.raw_combinations), format::count(static_cast<double>(r.evaluated)),
        format::count(static_cast<double>(r.pruned)), r.refined));
  }
  o += "</p>\n";
  if (!r.no_best_reason.empty()) o += "<p class=\"warn\">" + escape(r.no_best_reason) + "</p>\n";
  if (!r.pruned_by_reason.empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& [why, n] : r.pruned_by_reason) {
      rows.push_back({why, format::count(static_cast<double>(n))});
    }
    o += table({"pruned because", "combinations"}, rows, {false, true});
  }

  if (r.best_uncertainty) {
    const auto& u = *r.best_uncertainty;
    o += "<h2>How sure</h2>\n";
    o += std::string(u.known && !u.wide ? "<p>" : "<p class=\"warn\">") +
         escape(u.known ? fmt::format("The chosen configuration's step time, run time and cost "
                                      "carry {} ({}).",
                                      models::sigma_text(u.sigma), u.basis)
                        : "The error of the chosen configuration's step time is " + u.basis + ".") +
         "</p>\n";
    const auto notes = models::uncertainty_notes(u);
    if (notes.size() > 1) {
      o += "<ul>";
      for (std::size_t i = 1; i < notes.size(); ++i) o += "<li>" + escape(notes[i]) + "</li>";
      o += "</ul>\n";
    }
  }

  o += "<h2>Calibration</h2>\n";
  o += "<p>" + escape(r.calibration) + "</p>\n";
  o += r.calibrated ? "<p class=\"ok\">Calibrated: every compute and communication figure came "
                      "from a measured profile.</p>\n"
                    : "<p class=\"warn\">Not calibrated: the numbers rest on these defaults "
                      "rather than measurements.</p>\n";
  if (!r.assumptions.empty()) {
    o += "<ul>";
    for (const auto& a : r.assumptions) o += "<li>" + escape(a) + "</li>";
    o += "</ul>\n";
  }

  o += "<h2>Catalog sources</h2>\n";
  if (r.catalog_sources.empty()) {
    o += "<p>No catalog prices were used.</p>\n";
  } else {
    std::vector<std::vector<std::string>> rows;
    for (const auto& s : r.catalog_sources) {
      rows.push_back({s.instance, s.pricing, format::usd_rate(s.usd_per_instance_hour), s.region,
                      s.retrieved, s.source + (s.verified ? "" : " (recalled, unverified)")});
    }
    o += table({"instance", "pricing", "price", "region", "retrieved", "source"}, rows,
               {false, false, true, false, false, false});
  }
  o += "<footer>Written by cirrus. Files beside this page: summary.md (Markdown) and "
       "candidates.csv (every evaluated candidate).</footer>\n";
  // Records the page's width for the browser test (horizontal overflow at 1280 px).
  o += "<script>addEventListener('load',function(){var d=document.documentElement;"
       "document.body.setAttribute('data-scroll-width',d.scrollWidth);"
       "document.body.setAttribute('data-client-width',d.clientWidth);});</script>\n";
  o += "</main></body></html>\n";
  return o;
}

}  // namespace cirrus::reports
