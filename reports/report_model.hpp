#pragma once
// What a report holds, independent of how it is drawn: the scenario, the search (every
// candidate with its config, result and cost; the best; the Pareto set), the best candidates in
// detail (step-time and memory breakdowns), the chosen configuration's cost under every pricing
// model, one step's pipeline timeline, the calibration status and the catalog's sources and
// dates. Built once (report_builder.hpp), rendered by html_report, markdown_report and
// candidates_csv; written by write_report (report_writer.hpp).
//
// A pinned scenario (no open choices) is a report with one candidate, which is the best.
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "models/step/step_result.hpp"
#include "models/step/uncertainty.hpp"
#include "models/workload/strategy.hpp"

namespace cirrus::reports {

// One evaluated combination: priced (feasible) or pruned with its reason.
struct ReportCandidate {
  std::string instance;  // catalog id, or the node preset
  int nodes = 0;
  int gpus = 0;
  models::Strategy strategy;
  bool feasible = true;
  std::string status;    // "feasible", or why it was pruned ("out of memory", ...)
  std::string estimate;  // "engine" or "analytic"; empty when pruned
  double step_time_s = 0;
  double run_days = 0;
  std::optional<double> usd_per_hour;  // the cluster
  std::optional<double> usd_total;     // the run
  bool meets_limits = false;
  bool pareto = false;
  bool best = false;
  // The relative 1-sigma error bar of its instance's GPU and the precision
  // (models/step/uncertainty.hpp); empty when unknown or pruned. Report::best_uncertainty says why.
  std::optional<double> sigma;
};

// A candidate shown in detail: its full step result (breakdown, memory).
struct CandidateDetail {
  std::size_t candidate = 0;  // index into Report::candidates
  std::string label;          // "aws:p5.48xlarge x 32, tp8 pp4 dp8 ..."
  models::StepResult result;
};

// The chosen configuration's run under one pricing model (pricing/cost_model.hpp).
struct PricingRow {
  std::string model;    // "on-demand", "spot", "committed-1y", "committed-3y"
  bool chosen = false;  // the scenario's pricing model
  bool offered = false;
  double usd_per_instance_hour = 0;
  double usd_per_hour = 0;  // the cluster
  double usd_total = 0;     // the run; infinite when it never completes
  double usd_per_million_tokens = 0;
  double run_time_s = 0;  // expected wall-clock time, interruptions included
  bool completes = true;
  double expected_interruptions = 0;
  // The run's cost split by where the time goes (they sum to usd_total).
  double usd_work = 0;           // the simulated steps
  double usd_checkpoints = 0;    // writing checkpoints
  double usd_interruptions = 0;  // lost work and restarts
  std::string source;
  std::string retrieved;
  bool verified = true;
};

// Where one price came from.
struct CatalogSource {
  std::string instance;
  std::string pricing;  // "on-demand", ...
  double usd_per_instance_hour = 0;
  std::string region;
  std::string source;
  std::string retrieved;
  bool verified = true;
};

// One step of the chosen configuration, merged into blocks a chart can show. Lane 0 is the
// stage's compute stream (kernels, and communication that blocks it), lane 1 the
// communication that runs beside it; time no block covers is idle.
enum class Activity { kForward, kBackward, kRecompute, kOptimizer, kCommunication };
inline constexpr int kActivityCount = 5;
const char* to_string(Activity a);

struct TimelineBlock {
  int stage = 0;
  int lane = 0;
  Activity activity = Activity::kForward;
  int micro_batch = -1;  // -1: not one micro-batch's
  double start_s = 0;
  double end_s = 0;
};

struct Timeline {
  int stages = 0;
  double makespan_s = 0;
  std::vector<TimelineBlock> blocks;  // by stage, lane, start
  std::vector<double> idle_fraction;  // per stage: compute stream idle / makespan
};

struct Report {
  std::string title;  // the scenario's name
  std::string scenario_file;
  std::vector<std::pair<std::string, std::string>> scenario_facts;  // label, value
  std::vector<std::string> open_choices;    // JSON paths; empty for a pinned scenario
  std::string pricing;                      // the scenario's pricing model
  std::string objective;                    // "minimize cost, at most 60 days"
  std::optional<double> max_days, max_usd;  // the objective's limits, drawn on the Pareto chart

  // The search (a pinned scenario: one candidate, nothing pruned).
  double raw_combinations = 1;
  std::size_t evaluated = 0;
  std::size_t pruned = 0;
  std::size_t refined = 0;
  std::vector<std::pair<std::string, std::size_t>> pruned_by_reason;
  std::vector<ReportCandidate> candidates;  // feasible ones first, in enumeration order
  std::optional<std::size_t> best;          // into candidates
  std::string no_best_reason;
  std::vector<std::size_t> pareto;  // into candidates, by run time
  std::vector<std::size_t> top;     // into candidates, by the objective

  std::vector<CandidateDetail> details;  // the best first, then the top ones

  // The best configuration's cost under every pricing model.
  std::vector<PricingRow> pricing_rows;
  double run_steps = 0;  // 0 when the scenario gives no token count
  double work_s = 0;
  double storage_usd_run = 0;
  std::string storage_source;
  std::vector<std::string> pricing_assumptions;
  std::vector<CatalogSource> catalog_sources;

  std::optional<Timeline> timeline;
  bool calibrated = false;
  std::string calibration = "datasheet";  // StepResult::calibration of the detailed result
  std::vector<std::string> assumptions;
  // The best configuration's error bars: band, basis and bias (empty without a best).
  std::optional<models::Uncertainty> best_uncertainty;
};

// "tp8 pp4 dp16 mb1 1f1b z1 selective sp": a strategy in a few characters.
std::string strategy_short(const models::Strategy& s);

}  // namespace cirrus::reports
