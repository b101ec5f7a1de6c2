// `cirrus plan SCENARIO` on a scenario with a `serving` block (cli/plan_command.cpp hands it
// over): the serving plan (app/serving_plan_run.hpp) as a table or JSON; when no configuration
// meets the SLOs, nothing on stdout, the one-line reason on stderr and exit 4.
#include <fmt/format.h>

#include "app/serving_plan_run.hpp"
#include "cli/commands.hpp"
#include "reports/serving_plan_render.hpp"

namespace cirrus::cli {

ExitCode plan_serving(const app::Job& job, int threads, const std::string& format,
                      const std::string& out) {
  const app::ServingPlan plan = app::run_serving_plan(job, threads);
  if (!plan.best) {
    fmt::print(stderr, "cirrus: {}: {}\n", job.scenario.file, plan.no_plan);
    return kExitInfeasible;
  }
  emit(reports::render_serving_plan(plan, format), out);
  return kExitOk;
}

}  // namespace cirrus::cli
