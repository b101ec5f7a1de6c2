#pragma once
// Reading a simulated step's task graph for people: which pass each task belongs to, what its
// tag means, and which stream does what. Generic over the graph (tags of
// models/step/step_builder.hpp, labels = stage index, StepGraph::passes): traces and timelines read
// it the same way.
#include <cstdint>
#include <string>
#include <vector>

#include "models/step/step_graph.hpp"
#include "models/step/step_input.hpp"
#include "sim/task_graph.hpp"

namespace cirrus::reports {

// For every task, the index into g.passes of the pass that emitted it, or -1 (the step's tail).
std::vector<std::int32_t> task_passes(const models::StepGraph& g);

// "compute", "recompute", "TP communication", ... ; "tag N" for a tag this code does not know.
std::string tag_name(std::uint16_t tag);
bool is_communication(std::uint16_t tag);

// What a stream does, for a thread name: "compute" for a stage's compute stream, else named
// after its tasks ("TP communication", "pipeline sends (forward)", "DP communication").
struct StreamInfo {
  int stage = -1;  // the stage of its first task; -1 for an unused stream
  std::string name;
  int order = 0;  // a stable sort key within the stage: compute first
};
std::vector<StreamInfo> stream_infos(const models::StepGraph& g,
                                     const std::vector<std::int32_t>& passes);

}  // namespace cirrus::reports
