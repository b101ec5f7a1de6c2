// The report: built from a pinned scenario and from a plan, rendered to self-contained HTML
// with every chart, Markdown and a CSV with one row per evaluated candidate; a plan of 10,000
// candidates stays far under 5 MB; the planner's pruned list changes nothing else.
#include <algorithm>
#include <catch2/catch.hpp>
#include <string>

#include "models/step/simulate.hpp"
#include "plan/planner.hpp"
#include "plan/search_space.hpp"
#include "reports/report_builder.hpp"
#include "reports/report_files.hpp"
#include "reports/svg_charts.hpp"
#include "reports/timeline.hpp"
#include "scenarios/scenario.hpp"
#include "scenarios/step_input.hpp"

using namespace cirrus;

namespace {

const char* kCharts[] = {"chart-pareto", "chart-breakdown", "chart-memory", "chart-timeline",
                         "chart-cost"};

scenarios::Scenario pinned() {
  return scenarios::parse_scenario(R"({
    "cirrus": 1, "name": "pp4 on one node",
    "model": {"preset": "llama2-7b", "layers": 8},
    "training": {"global_batch": 8, "tokens": 1e9},
    "cluster": {"node": "dgx-a100-80gb", "nodes": 1},
    "strategy": {"tp": 2, "pp": 4, "dp": 1, "micro_batch": 1, "schedule": "1f1b"}
  })",
                                   "pinned.json");
}

std::size_t occurrences(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (auto at = s.find(what); at != std::string::npos; at = s.find(what, at + what.size())) ++n;
  return n;
}

std::size_t lines(const std::string& s) {
  return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n'));
}

}  // namespace

TEST_CASE("pinned report has every chart and stays self-contained", "[reports][html]") {
  const auto s = pinned();
  const auto in = scenarios::pinned_input(s);
  const auto sim = models::simulate_step_detailed(in);
  const reports::Report r = reports::build_pinned_report(s, in, sim, nullptr);
  REQUIRE(r.best == std::optional<std::size_t>(0));
  REQUIRE(r.timeline);
  CHECK(r.timeline->stages == 4);
  const std::string html = reports::render_html(r);
  for (const char* id : kCharts)
    CHECK(html.find(std::string("id=\"") + id + "\"") != std::string::npos);
  CHECK(html.find("https://") == std::string::npos);
  CHECK(html.find("<img") == std::string::npos);
  CHECK(html.find("<link") == std::string::npos);
  // Without a catalog instance there is no price: the cost chart says so instead of drawing.
  CHECK(html.find("no catalog price") != std::string::npos);
  // Axis titles carry units.
  CHECK(html.find("time per optimizer step (s)") != std::string::npos);
  CHECK(html.find("memory per GPU (GiB)") != std::string::npos);
  const std::string csv = reports::render_candidates_csv(r);
  CHECK(lines(csv) == 2);  // header + the one configuration
  const std::string md = reports::render_markdown(r);
  CHECK(md.find("# pp4 on one node") == 0);
  CHECK(md.find("Not calibrated") != std::string::npos);
}

TEST_CASE("timeline blocks stay within the step and alternate in 1F1B", "[reports][timeline]") {
  const auto s = pinned();
  const auto sim = models::simulate_step_detailed(scenarios::pinned_input(s));
  const auto tl = reports::timeline_of(sim.graph, sim.run);
  int forwards_stage0 = 0;
  for (const auto& b : tl.blocks) {
    CHECK(b.start_s >= 0);
    CHECK(b.end_s <= tl.makespan_s * (1 + 1e-12));
    CHECK(b.end_s > b.start_s);
    if (b.stage == 0 && b.lane == 0 && b.activity == reports::Activity::kForward) ++forwards_stage0;
  }
  // 8 micro-batches' forwards on stage 0, one block each (they are not adjacent in 1F1B's
  // steady state, and the warm-up's are separate micro-batches).
  CHECK(forwards_stage0 == 8);
  // The last stage idles at least during its warm-up: (pp - 1) forwards of the stages before.
  CHECK(tl.idle_fraction.back() > 0);
}

TEST_CASE("plan report lists every evaluated candidate; keep_pruned changes nothing else",
          "[reports][plan]") {
  const auto s = scenarios::parse_scenario(R"({
    "cirrus": 1, "name": "small plan",
    "model": {"preset": "llama2-7b", "layers": 8},
    "training": {"global_batch": 16, "tokens": 1e9},
    "cluster": {"node": "dgx-a100-80gb", "nodes": [1, 2]},
    "strategy": {"tp": [1, 2, 4], "pp": [1, 2, 3], "micro_batch": [1, 2], "zero": [0, 1]}
  })",
                                           "plan.json");
  plan::InstanceOption node;
  node.id = "dgx-a100-80gb";
  node.node = *models::find_node("dgx-a100-80gb");
  const auto space = plan::build_search_space(s, {node});
  plan::PlanOptions a;
  a.refine = 2;
  plan::PlanOptions b = a;
  b.keep_pruned = true;
  const auto ra = plan::run_plan(s, space, a);
  const auto rb = plan::run_plan(s, space, b);
  CHECK(ra.pruned_candidates.empty());
  CHECK(rb.pruned_candidates.size() == rb.infeasible);
  CHECK(ra.best == rb.best);
  CHECK(ra.top == rb.top);
  CHECK(ra.pareto == rb.pareto);
  CHECK(ra.candidates.size() == rb.candidates.size());
  // pp 3 does not divide 8 layers: pruned with that reason, listed.
  REQUIRE(rb.infeasible > 0);
  const plan::ResolvedInstances resolved{{node}, {nullptr}, {}};
  const reports::Report r = reports::build_plan_report(s, space, rb, resolved);
  CHECK(r.candidates.size() == rb.evaluated + rb.infeasible);
  const std::string csv = reports::render_candidates_csv(r);
  CHECK(lines(csv) == 1 + rb.evaluated + rb.infeasible);
  const std::string html = reports::render_html(r);
  for (const char* id : kCharts)
    CHECK(html.find(std::string("id=\"") + id + "\"") != std::string::npos);
}

TEST_CASE("report of a 10,000-candidate plan stays under 5 MB", "[reports][html]") {
  reports::Report r;
  r.title = "synthetic";
  r.open_choices = {"strategy.tp"};
  r.pricing = "on-demand";
  for (int i = 0; i < 10000; ++i) {
    reports::ReportCandidate c;
    c.instance = i % 2 ? "aws:p5.48xlarge" : "gcp:a3-megagpu-8g";
    c.nodes = 1 << (i % 8);
    c.gpus = 8 * c.nodes;
    c.strategy.tp = 1 << (i % 4);
    c.status = "feasible";
    c.estimate = "analytic";
    c.step_time_s = 1.0 + (i % 97) * 0.37;
    c.run_days = 1.0 + (i * 7919 % 1000) * 0.1;
    c.usd_total = 1e5 + (i * 104729 % 10007) * 97.0;
    r.candidates.push_back(c);
  }
  for (std::size_t i = 0; i < 200; ++i) r.pareto.push_back(i * 50);
  r.best = 0;
  r.candidates[0].best = true;
  reports::CandidateDetail d;
  d.label = "x";
  d.result.step_time_s = 1;
  d.result.breakdown.compute = 1;
  r.details.push_back(d);
  const std::string html = reports::render_html(r);
  const std::string csv = reports::render_candidates_csv(r);
  CHECK(html.size() < 1024 * 1024);  // the scatter is thinned: well under the 5 MB bound
  CHECK(html.size() + csv.size() < 5 * 1024 * 1024);
  CHECK(lines(csv) == 10001);
}

TEST_CASE("svg scales tick in 1-2-5 steps and logs by decades", "[reports][svg]") {
  reports::svg::Scale lin;
  lin.lo = 0;
  lin.hi = 10;
  // (10 - 0) / 6 = 1.67 -> step 2: 0, 2, 4, 6, 8, 10.
  CHECK(lin.ticks() == std::vector<double>{0, 2, 4, 6, 8, 10});
  reports::svg::Scale lg;
  lg.log = true;
  lg.lo = 1;
  lg.hi = 1e6;
  // Six decades: too many for 1-2-5, one tick per decade.
  CHECK(lg.ticks().size() == 7);
  CHECK(reports::svg::compact(1234567) == "1.23M");
  CHECK(reports::svg::escape("<a&\"b\">") == "&lt;a&amp;&quot;b&quot;&gt;");
}

TEST_CASE("the step breakdown's bars add up to the step, MoE all-to-all and offload included",
          "[reports][html]") {
  // Before: Mixtral's bars summed to 4.49 of its 4.69 s (no expert all-to-all) and the offload
  // example's to 47.9 of 58 s (no exposed transfer).
  for (const char* file : {"scenarios/examples/mixtral-8x7b.json",
                           "scenarios/examples/llama3-70b-offload-h100.json"}) {
    INFO(file);
    const auto s = scenarios::load_scenario(std::string(CIRRUS_SOURCE_DIR) + "/" + file);
    const auto in = scenarios::pinned_input(s);
    const auto sim = models::simulate_step_detailed(in);
    const reports::Report r = reports::build_pinned_report(s, in, sim, nullptr);
    REQUIRE(!r.details.empty());
    const auto& res = r.details.front().result;
    REQUIRE(res.feasible);
    CHECK(res.breakdown.ep_comm + res.breakdown.offload > 0);
    CHECK(res.breakdown.total() == Approx(res.step_time_s).epsilon(0.02));
    const std::string html = reports::render_html(r);
    CHECK(html.find("EP all-to-all (exposed)") != std::string::npos);
    CHECK(html.find("offload (exposed)") != std::string::npos);
    CHECK(reports::render_markdown(r).find("| EP | offload |") != std::string::npos);
  }
}

TEST_CASE("Pareto chart: limits as lines, points outside them hollow, axes on the frontier",
          "[reports][svg]") {
  // Before: one candidate 50x dearer than the frontier set the y axis, flattening the frontier
  // into one row, and the deadline and budget were nowhere on the chart.
  reports::svg::Scatter c;
  c.id = "chart-pareto";
  c.frontier = {{10, 1000, "fast", "fast"}, {20, 700, "mid", "mid"}, {40, 600, "slow", "slow"}};
  c.frontier[2].breaks_limits = true;  // 40 days against a 30-day deadline
  c.cloud = {{15, 900, "", ""}, {12, 50000, "", ""}};
  c.x_limit = 30;
  c.x_limit_name = "deadline 30 days";
  c.y_limit = 1200;
  c.y_limit_name = "budget $1.20k";
  c.zoom_to_frontier = true;
  const std::string svg = reports::svg::scatter(c);
  CHECK(occurrences(svg, "class=\"limit\"") == 2);
  CHECK(svg.find("deadline 30 days") != std::string::npos);
  CHECK(svg.find("budget $1.20k") != std::string::npos);
  CHECK(svg.find("class=\"front broken\"") != std::string::npos);
  CHECK(svg.find("outside the limits") != std::string::npos);
  // The $50k candidate is left out and counted; the $900 one is drawn.
  CHECK(svg.find("1 slower or dearer than the frontier") != std::string::npos);
  CHECK(occurrences(svg, "class=\"dot\"/>") == 2);  // the legend's and the $900 one
}
