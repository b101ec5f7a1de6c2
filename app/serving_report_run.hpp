#pragma once
// The serving report's runs (`cirrus report` of a scenario with a serving block): the scenario
// as `serve` runs it, with every request's latencies kept for the CDFs, and the load-latency
// curve: the same scenario re-run at 25%, 50%, 75%, 100%, 125% and 150% of its arrival rate
// (synthetic arrivals: the rate scaled, the request count or duration kept; a trace: its
// time_scale divided by the factor), each point's offered load measured on its own arrival
// stream: (arrivals - 1) / (last arrival - first). Offline arrivals have no rate: no curve.
#include <optional>
#include <string>
#include <vector>

#include "app/job.hpp"
#include "app/serving_run.hpp"

namespace cirrus::app {

inline constexpr double kLoadFactors[] = {0.25, 0.5, 0.75, 1.0, 1.25, 1.5};

struct LoadPoint {
  double factor = 1;         // of the scenario's arrival rate
  double offered_per_s = 0;  // measured on the point's arrivals
  models::LatencyStats ttft, tpot;
  std::optional<double> slo_attained;
  double completed_per_s = 0;
  std::string error;  // the point's run refused (a load past the engine's range): why
};

struct ServingReportRun {
  ServingResult base;
  std::vector<LoadPoint> load;  // in factor order; empty with `load_note` saying why
  std::string load_note;
};

// Runs the points on up to `threads` threads; the result is the same for every count.
ServingReportRun run_serving_report(const Job& job, int threads);

}  // namespace cirrus::app
