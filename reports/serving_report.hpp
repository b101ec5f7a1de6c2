#pragma once
// The serving report (`cirrus report SCENARIO --out DIR` of a scenario with a serving block):
//   DIR/index.html   self-contained (inline CSS and SVG, no scripts): the run's summary table,
//                    latency CDFs of TTFT, TPOT and E2E from every request (each curve thinned
//                    to at most kCdfPoints points, evenly by rank, the last always kept), and
//                    the load-latency curves (p50 and p90 of TTFT and TPOT against offered load)
//                    with the SLO lines
//   DIR/summary.txt  `serve`'s table of the same run
// Both depend only on the run: the same inputs give the same bytes.
#include <string>
#include <utility>
#include <vector>

#include "app/serving_report_run.hpp"

namespace cirrus::reports {

inline constexpr std::size_t kCdfPoints = 500;

// (value, fraction of requests at or below it) for `sorted` (ascending), at most `points`
// of them: ranks round(k (n - 1) / (points - 1)) for k = 0..points-1.
std::vector<std::pair<double, double>> thin_cdf(const std::vector<double>& sorted,
                                                std::size_t points = kCdfPoints);

std::string render_serving_report_html(const app::ServingReportRun& run,
                                       const std::string& scenario_file);

// Throws IoError when DIR cannot be created or a file cannot be written.
void write_serving_report(const app::ServingReportRun& run, const std::string& scenario_file,
                          const std::string& dir);

}  // namespace cirrus::reports
