#pragma once
// One simulated step as a Chrome trace-event file (the JSON object format: "traceEvents",
// "displayTimeUnit"), which Perfetto (ui.perfetto.dev) and chrome://tracing open:
//   - a process per representative rank (pipeline stage), named by "process_name" metadata;
//   - a thread per stream (compute, TP communication, pipeline sends forward and backward,
//     DP communication), named by "thread_name" metadata;
//   - "X" complete events: one per pass ("forward mb 3", "backward mb 3"; category "pass")
//     spanning its kernels on the compute thread, and one per task inside it, named by what it
//     is ("compute", "recompute", "TP communication", "pipeline send", ...);
//   - flow events ("s" at the producer, "f" with "bp": "e" at the consumer) for every
//     dependency between stages: the pipeline's activations and gradients;
//   - "C" counter events per link ("links" process): the utilization of each resource over
//     time, from the flows using it, each counted at its average rate over its transfer (the
//     engine re-shares rates at every event; the average is what its start and end show).
// Timestamps are microseconds written exactly from the engine's integer picoseconds ("12.000345"),
// so reruns are byte-identical.
#include <string>

#include "models/step_builder.hpp"
#include "sim/task_graph.hpp"

namespace cirrus::reports {

std::string render_trace(const models::StepGraph& g, const sim::RunResult& run,
                         const std::string& title);

}  // namespace cirrus::reports
