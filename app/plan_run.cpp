#include "app/plan_run.hpp"

namespace cirrus::app {

std::unique_ptr<const PlanRun> run_plan(const Job& job, const PlanRunOptions& options) {
  const scenarios::Scenario& s = job.scenario;
  auto run = std::make_unique<PlanRun>();
  run->resolved = plan::resolve_instances(s, job.catalogs);
  run->space = plan::build_search_space(s, run->resolved.options);
  attach_scenario_profile(s, run->space, job.options.profiles);
  plan::PlanOptions po;
  po.threads = options.threads;
  po.top = options.top;
  po.refine = options.refine;
  po.keep_pruned = options.keep_pruned;
  po.economics = plan::catalog_economics(s, run->resolved);
  po.progress = options.progress;
  run->result = plan::run_plan(s, run->space, po);
  return run;
}

}  // namespace cirrus::app
