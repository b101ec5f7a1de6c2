#include "reports/serving_report.hpp"

#include <fmt/format.h>

#include <cmath>

#include "common/atomic_write.hpp"
#include "reports/report_files.hpp"
#include "reports/report_format.hpp"
#include "reports/serving_disagg_render.hpp"
#include "reports/serving_render.hpp"
#include "reports/svg_charts.hpp"

namespace cirrus::reports {
namespace {

using svg::escape;

constexpr const char* kP50 = "#4e79a7";
constexpr const char* kP90 = "#e15759";

std::string ms(double s) { return fmt::format("{:.4g}", s * 1e3); }

std::string table(const std::vector<std::string>& head,
                  const std::vector<std::vector<std::string>>& rows) {
  std::string o = "<div class=\"scroll\"><table><tr>";
  for (const auto& h : head) o += "<th>" + escape(h) + "</th>";
  o += "</tr>\n";
  for (const auto& r : rows) {
    o += "<tr>";
    for (std::size_t i = 0; i < r.size(); ++i) {
      o += std::string(i == 0 ? "<td>" : "<td class=\"n\">") + escape(r[i]) + "</td>";
    }
    o += "</tr>\n";
  }
  return o + "</table></div>\n";
}

std::string figure(const std::string& chart, const std::string& caption) {
  return "<figure>\n" + chart + "<figcaption>" + escape(caption) + "</figcaption></figure>\n";
}

std::string cdf_chart(const std::string& id, const std::string& name,
                      const std::vector<double>& sorted, const std::optional<double>& slo) {
  svg::LineChart c;
  c.id = id;
  c.title = name + ": cumulative distribution over requests";
  c.x_label = name + " (ms)";
  c.y_label = "fraction of requests";
  c.x_unit = "ms";
  c.y_unit = "of requests";
  c.x_log = true;
  c.y_range = std::pair{0.0, 1.0};
  svg::Line l{name, kP50, {}, false, false};
  for (const auto& [v, f] : thin_cdf(sorted)) l.points.emplace_back(v * 1e3, f);
  c.lines.push_back(std::move(l));
  if (slo) c.x_limits.push_back({*slo * 1e3, fmt::format("SLO {:g} ms", *slo * 1e3)});
  c.note = fmt::format("{} requests; at most {} points drawn, evenly by rank",
                       format::count(static_cast<double>(sorted.size())), kCdfPoints);
  return c.lines.front().points.empty()
             ? "<p class=\"sub\">" + escape(name) + ": no request to draw</p>\n"
             : svg::line_chart(c);
}

std::string load_chart(const app::ServingReportRun& run, bool ttft) {
  const std::string name = ttft ? "TTFT" : "TPOT";
  svg::LineChart c;
  c.id = ttft ? "load-ttft" : "load-tpot";
  c.title = name + " against offered load";
  c.x_label = "offered load (requests/s)";
  c.y_label = name + " (ms)";
  c.x_unit = "requests/s";
  c.y_unit = "ms";
  svg::Line p50{"p50", kP50, {}, true, false}, p90{"p90", kP90, {}, true, false};
  for (const app::LoadPoint& p : run.load) {
    if (!p.error.empty()) continue;
    const models::LatencyStats& s = ttft ? p.ttft : p.tpot;
    if (s.count == 0) continue;
    p50.points.emplace_back(p.offered_per_s, s.p50 * 1e3);
    p90.points.emplace_back(p.offered_per_s, s.p90 * 1e3);
  }
  c.lines = {p50, p90};
  const auto& slo = ttft ? run.base.spec.slo.ttft_s : run.base.spec.slo.tpot_s;
  if (slo) c.y_limits.push_back({*slo * 1e3, fmt::format("SLO {:g} ms", *slo * 1e3)});
  return svg::line_chart(c);
}

std::string summary_tables(const app::ServingResult& r) {
  const models::ServingMetrics& m = r.metrics;
  std::vector<std::vector<std::string>> lat;
  const auto row = [&](const char* name, const models::LatencyStats& s) {
    lat.push_back({name, format::count(static_cast<double>(s.count)), ms(s.mean), ms(s.p50),
                   ms(s.p90), ms(s.p99), ms(s.max)});
  };
  row("TTFT", m.ttft);
  row("TPOT", m.tpot);
  row("E2E", m.e2e);
  row("queueing", m.queueing);
  std::string o = table({"latency (ms)", "requests", "mean", "p50", "p90", "p99", "max"}, lat);
  std::vector<std::vector<std::string>> kv = {
      {"requests", format::count(static_cast<double>(m.requests)) + " (" + r.arrivals + ")"},
      {"completed", format::count(static_cast<double>(m.completed))},
      {"makespan", format::duration(m.makespan_s)},
      {"throughput",
       fmt::format("{:.3f} requests/s, {} input and {} output tokens/s", m.requests_per_s,
                   format::count(m.input_tokens_per_s), format::count(m.output_tokens_per_s))},
      {"goodput", m.goodput_per_s ? fmt::format("{:.3f} requests/s ({} meet the SLOs)",
                                                *m.goodput_per_s, format::percent(*m.slo_attained))
                                  : "no SLO given"},
      {"KV cache", fmt::format("{} blocks per replica; peak {}; {} preemptions",
                               format::count(static_cast<double>(m.kv_blocks)),
                               format::count(static_cast<double>(m.kv_peak_blocks)),
                               format::count(static_cast<double>(m.preemptions)))},
      {"busy", fmt::format("{} of replica time, {} on prefill tokens",
                           format::percent(m.busy_fraction), format::percent(m.prefill_share))},
      {"Little's law",
       fmt::format("L = {:.4g}, lambda x W = {:.4g} (relative difference {:.1e})",
                   m.little.mean_in_system, m.little.arrival_rate * m.little.mean_e2e_s,
                   m.little.relative_error)},
      {"cost", r.cost ? fmt::format("{} per million tokens ({} on demand, {})",
                                    format::usd(r.cost->usd_per_million_tokens), r.cost->instance,
                                    format::usd_rate(r.cost->usd_per_hour))
                      : "n/a (" + r.cost_missing + ")"}};
  o += table({"measure", "value"}, kv);
  return o;
}

std::string load_table(const app::ServingReportRun& run) {
  std::vector<std::vector<std::string>> rows;
  for (const app::LoadPoint& p : run.load) {
    if (!p.error.empty()) {
      rows.push_back({format::percent(p.factor), fmt::format("{:.4g}", p.offered_per_s), "-", "-",
                      "-", "-", "-", p.error});
      continue;
    }
    rows.push_back({format::percent(p.factor), fmt::format("{:.4g}", p.offered_per_s),
                    fmt::format("{:.4g}", p.completed_per_s), ms(p.ttft.p50), ms(p.ttft.p90),
                    ms(p.tpot.p50), ms(p.tpot.p90),
                    p.slo_attained ? format::percent(*p.slo_attained) : "no SLO"});
  }
  return table({"load", "offered (req/s)", "completed (req/s)", "TTFT p50 (ms)", "TTFT p90 (ms)",
                "TPOT p50 (ms)", "TPOT p90 (ms)", "SLO attained"},
               rows);
}

}  // namespace

std::vector<std::pair<double, double>> thin_cdf(const std::vector<double>& sorted,
                                                std::size_t points) {
  std::vector<std::pair<double, double>> out;
  const std::size_t n = sorted.size();
  if (n == 0 || points == 0) return out;
  const double total = static_cast<double>(n);
  if (n <= points) {
    for (std::size_t i = 0; i < n; ++i) out.emplace_back(sorted[i], (i + 1) / total);
    return out;
  }
  for (std::size_t k = 0; k < points; ++k) {
    const auto i = static_cast<std::size_t>(std::llround(
        static_cast<double>(k) * static_cast<double>(n - 1) / static_cast<double>(points - 1)));
    out.emplace_back(sorted[i], static_cast<double>(i + 1) / total);
  }
  return out;
}

std::string render_serving_report_html(const app::ServingReportRun& run,
                                       const std::string& scenario_file) {
  const app::ServingResult& r = run.base;
  const models::ServingMetrics& m = r.metrics;
  std::string o;
  o += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  o += "<title>" + escape(r.scenario_name) + " \u2014 cirrus serving report</title>\n<style>" +
       report_css() + "</style>\n</head><body><main>\n";
  o += "<h1>" + escape(r.scenario_name) + "</h1>\n";
  const std::string fleet = r.disagg ? disagg_fleet_words(*r.disagg)
                                     : fmt::format("{} replica{} x tp {}", r.spec.replicas,
                                                   r.spec.replicas == 1 ? "" : "s", r.spec.tp);
  o += "<p class=\"sub\">cirrus serving report of <code>" + escape(scenario_file) +
       "</code> \u00b7 " +
       escape(fmt::format("{} ({:.1f}B parameters) on {} ({}), {}, {} router", r.model_name,
                          r.parameters / 1e9, r.node_id, r.gpu, fleet,
                          models::to_string(r.spec.router))) +
       "</p>\n";
  o += "<div class=\"cards\">";
  const auto card = [&](const std::string& value, const std::string& what) {
    o += "<div class=\"card\"><b>" + escape(value) + "</b><span>" + escape(what) + "</span></div>";
  };
  card(format::count(static_cast<double>(m.requests)), "requests");
  card(ms(m.ttft.p90) + " ms", "p90 TTFT");
  card(ms(m.tpot.p90) + " ms", "p90 TPOT");
  card(fmt::format("{:.3g}/s", m.requests_per_s), "requests served per second");
  if (m.slo_attained) card(format::percent(*m.slo_attained), "of requests meet the SLOs");
  if (r.cost) card(format::usd(r.cost->usd_per_million_tokens), "per million tokens");
  o += "</div>\n";

  o += "<h2>Summary</h2>\n" + summary_tables(r);
  if (r.disagg) o += "<pre>" + escape(disagg_table_lines(*r.disagg)) + "</pre>\n";

  o += "<h2>Latency distributions</h2>\n";
  o += figure(cdf_chart("cdf-ttft", "TTFT", r.samples.ttft_s, r.spec.slo.ttft_s),
              "Time to first token of every completed request.");
  o += figure(cdf_chart("cdf-tpot", "TPOT", r.samples.tpot_s, r.spec.slo.tpot_s),
              "Time per output token after the first, of requests with more than one.");
  o += figure(cdf_chart("cdf-e2e", "E2E", r.samples.e2e_s, std::nullopt),
              "Arrival to last token of every completed request.");

  o += "<h2>Load and latency</h2>\n";
  if (run.load.empty()) {
    o += "<p class=\"sub\">No load-latency curve: " + escape(run.load_note) + ".</p>\n";
  } else {
    o += "<p class=\"sub\">The scenario re-run at 25% to 150% of its arrival rate (same seed); "
         "offered load measured on each run's arrivals.</p>\n";
    o +=
        figure(load_chart(run, true), "p50 and p90 TTFT at each load; the dashed line is the SLO.");
    o += figure(load_chart(run, false),
                "p50 and p90 TPOT at each load; the dashed line is the SLO.");
    o += load_table(run);
  }

  o += "<h2>Assumptions</h2>\n<ul>\n";
  for (const std::string& a : r.assumptions) o += "<li>" + escape(a) + "</li>\n";
  o += "<li>percentiles by nearest rank; TPOT over requests with more than one output token</li>\n";
  o += "</ul>\n<footer>cirrus serving report</footer>\n</main></body></html>\n";
  return o;
}

void write_serving_report(const app::ServingReportRun& run, const std::string& scenario_file,
                          const std::string& dir) {
  write_folder_atomic(dir, {{"index.html", render_serving_report_html(run, scenario_file)},
                            {"summary.txt", render_serving(run.base, "table")}});
}

}  // namespace cirrus::reports
