#include "common/atomic_write.hpp"
#include "common/input_error.hpp"
#include "reports/report_builder.hpp"
#include "reports/report_files.hpp"

namespace cirrus::reports {

void write_report(const Report& r, const std::string& dir) {
  // Rendered first: a renderer that throws leaves the folder as it was.
  write_folder_atomic(dir, {{"index.html", render_html(r)},
                            {"summary.md", render_markdown(r)},
                            {"candidates.csv", render_candidates_csv(r)}});
}

void write_plan_report(const app::Job& job, const app::PlanRun& run, const std::string& dir) {
  write_report(
      build_plan_report(job.scenario, run.space, run.result, run.resolved, 8, job.residuals.get()),
      dir);
}

void write_pinned_report(const app::Job& job, const models::SimulationOutput& sim,
                         const std::string& dir) {
  write_report(
      build_pinned_report(job.scenario, job.pinned(), sim, job.instance, job.residuals.get()), dir);
}

}  // namespace cirrus::reports
