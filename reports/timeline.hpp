#pragma once
// One simulated step as a pipeline timeline (report_model.hpp's Timeline): per stage, the
// compute stream's kernels merged into forward, backward, recompute and optimizer blocks per
// micro-batch, and the communication beside it merged into busy blocks. Blocks closer than
// `merge_gap` of the makespan are joined, so a step of a million kernels stays a few hundred
// blocks per stage: what a chart can draw.
#include "models/step/step_graph.hpp"
#include "models/step/step_input.hpp"
#include "reports/report_model.hpp"
#include "sim/task_graph.hpp"

namespace cirrus::reports {

Timeline timeline_of(const models::StepGraph& g, const sim::RunResult& run,
                     double merge_gap = 1e-3);

}  // namespace cirrus::reports
