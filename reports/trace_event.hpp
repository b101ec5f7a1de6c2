#pragma once
// One simulated step as a Chrome trace-event file (the JSON object format: "traceEvents",
// "displayTimeUnit"), which Perfetto (ui.perfetto.dev) and chrome://tracing open:
//   - a process per representative rank (pipeline stage), named by "process_name" metadata;
//   - a thread per stream (compute, TP communication, pipeline sends forward and backward,
//     DP communication), named by "thread_name" metadata;
//   - "X" complete events: one per pass ("forward mb 3", "backward mb 3"; category "pass")
//     spanning its kernels on the compute thread, then, by TraceDetail:
//       kPasses (the default, `--trace-detail passes`): the work of each pass on each other
//         stream merged into one block ("TP communication mb 3", args: tasks, busy_us, bytes
//         summed), the step's tail merged per stream and kind, and every pipeline send kept
//         (the flow arrows bind to them). A 70B model on 256 micro-batches stays a few MB;
//       kKernels (`--trace-detail kernels`): one event per task inside each pass, named by what
//         it is ("compute", "recompute", "TP communication", "pipeline send", ...): every
//         kernel and collective, tens of MB for a large pipeline;
//   - flow events ("s" at the producer, "f" with "bp": "e" at the consumer) for every
//     dependency between stages: the pipeline's activations and gradients;
//   - "C" counter events per link ("links" process): the utilization of each resource over
//     time, from the flows using it, each counted at its average rate over its transfer (the
//     engine re-shares rates at every event; the average is what its start and end show).
//     kKernels writes every change on every link; kPasses the 16 links that carried the most
//     bytes, each averaged over a grid of at most 500 intervals of the step.
// Timestamps are microseconds written exactly from the engine's integer picoseconds ("12.000345"),
// so reruns are byte-identical.
#include <string>

#include "models/step/step_graph.hpp"
#include "models/step/step_input.hpp"
#include "sim/task_graph.hpp"

namespace cirrus::reports {

enum class TraceDetail { kPasses, kKernels };

// "passes" or "kernels"; anything else throws std::invalid_argument.
TraceDetail parse_trace_detail(const std::string& name);

std::string render_trace(const models::StepGraph& g, const sim::RunResult& run,
                         const std::string& title, TraceDetail detail = TraceDetail::kPasses);

}  // namespace cirrus::reports
