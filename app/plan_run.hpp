#pragma once
// `plan`'s job (and `report`'s for an open scenario): the scenario's instance choice resolved
// against the job's catalogs, the search space built with every instance's calibration profile
// (app/profiles.hpp), and the planner run over it (plan/planner.hpp).
#include <functional>

#include "app/job.hpp"
#include "plan/instance_options.hpp"
#include "plan/planner.hpp"
#include "plan/search_space.hpp"

namespace cirrus::app {

struct PlanRunOptions {
  int threads = 1;
  int top = 10;
  int refine = 8;
  bool keep_pruned = false;  // list pruned combinations (a report's CSV)
  // The stage and its fraction done (plan::PlanOptions::progress); may be empty.
  std::function<void(const std::string& stage, double fraction)> progress;
};

// The parts refer to each other and to the job's catalogs: keep the job and the run alive.
struct PlanRun {
  plan::ResolvedInstances resolved;
  plan::SearchSpace space;
  plan::PlanResult result;
};

// `job` resolved with resolve_search (or resolve).
std::unique_ptr<const PlanRun> run_plan(const Job& job, const PlanRunOptions& options);

}  // namespace cirrus::app
