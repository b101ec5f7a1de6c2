#pragma once
// The report's renderers and its writer. write_report creates DIR and writes, each atomically:
//   DIR/index.html      self-contained (inline CSS and SVG, no scripts, fonts or images from
//                       elsewhere; one tiny inline script records the page width for tests)
//   DIR/summary.md      the same story in Markdown
//   DIR/candidates.csv  every evaluated candidate, feasible and pruned (with the reason)
// The HTML draws at most a bounded number of marks whatever the number of candidates (the
// scatter is thinned to one dot per 3-pixel cell, labels only on the frontier), so a report
// of a big plan stays a few hundred kB; the CSV has every row.
#include <string>

#include "app/job.hpp"
#include "app/plan_run.hpp"
#include "models/step/simulate.hpp"
#include "reports/report_model.hpp"

namespace cirrus::reports {

std::string render_html(const Report& r);
// The report pages' one stylesheet (other pages, such as the serving report, share it).
const char* report_css();
std::string render_markdown(const Report& r);
std::string render_candidates_csv(const Report& r);

// Throws IoError when DIR cannot be created or a file cannot be written.
void write_report(const Report& r, const std::string& dir);

// The report of a plan (`plan --report`, `report` of an open scenario): the job's top 8
// candidates get breakdown and memory bars.
void write_plan_report(const app::Job& job, const app::PlanRun& run, const std::string& dir);
// The report of a pinned configuration (`simulate --report`, `report` of a pinned scenario),
// priced when the job has a catalog instance.
void write_pinned_report(const app::Job& job, const models::SimulationOutput& sim,
                         const std::string& dir);

}  // namespace cirrus::reports
