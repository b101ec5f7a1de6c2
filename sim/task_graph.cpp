#include "sim/task_graph.hpp"

#include <cmath>
#include <stdexcept>

namespace cirrus::sim {

namespace {

void require(bool ok, const char* what) {
  if (!ok) throw std::invalid_argument(what);
}

}  // namespace

ResourceId TaskGraph::add_resource(double capacity_bytes_per_s) {
  require(capacity_bytes_per_s >= 0 && std::isfinite(capacity_bytes_per_s),
          "TaskGraph::add_resource: capacity must be finite and >= 0");
  capacities_.push_back(capacity_bytes_per_s);
  return static_cast<ResourceId>(capacities_.size() - 1);
}

StreamId TaskGraph::add_stream() {
  require(stream_last_.size() < kNoStream, "TaskGraph::add_stream: too many streams");
  stream_last_.push_back(kNoTask);
  return static_cast<StreamId>(stream_last_.size() - 1);
}

TaskId TaskGraph::push(Task t) {
  require(t.stream == kNoStream || t.stream < stream_last_.size(), "TaskGraph: unknown stream");
  require(t.duration >= Time::zero(), "TaskGraph: negative duration");
  require(tasks_.size() < kNoTask, "TaskGraph: too many tasks");
  const auto id = static_cast<TaskId>(tasks_.size());
  tasks_.push_back(t);
  if (t.stream != kNoStream) {
    TaskId& last = stream_last_[t.stream];
    if (last != kNoTask) edges_.emplace_back(last, id);
    last = id;
  }
  return id;
}

TaskId TaskGraph::add_delay(StreamId stream, Time duration, std::uint16_t tag,
                            std::uint32_t label) {
  Task t;
  t.kind = TaskKind::kDelay;
  t.tag = tag;
  t.stream = stream;
  t.duration = duration;
  t.label = label;
  return push(t);
}

TaskId TaskGraph::add_flow(StreamId stream, Time latency, double bytes,
                           std::span<const ResourceUse> uses, std::uint16_t tag,
                           std::uint32_t label, double weight, double bound) {
  require(bytes >= 0 && std::isfinite(bytes), "TaskGraph::add_flow: bytes must be finite, >= 0");
  require(weight > 0 && std::isfinite(weight), "TaskGraph::add_flow: weight must be finite, > 0");
  require(bound > 0, "TaskGraph::add_flow: bound must be > 0");
  for (const ResourceUse& u : uses) {
    require(u.resource < capacities_.size(), "TaskGraph::add_flow: unknown resource");
    require(u.coefficient > 0 && std::isfinite(u.coefficient),
            "TaskGraph::add_flow: coefficient must be finite and > 0");
  }
  Task t;
  t.kind = TaskKind::kFlow;
  t.tag = tag;
  t.stream = stream;
  t.duration = latency;
  t.bytes = bytes;
  t.weight = weight;
  t.bound = bound;
  t.uses_begin = static_cast<std::uint32_t>(uses_.size());
  t.uses_count = static_cast<std::uint32_t>(uses.size());
  t.label = label;
  // Validate (in push) before the uses are appended, so a throw leaves the graph unchanged.
  require(stream == kNoStream || stream < stream_last_.size(), "TaskGraph: unknown stream");
  require(latency >= Time::zero(), "TaskGraph: negative duration");
  uses_.insert(uses_.end(), uses.begin(), uses.end());
  return push(t);
}

void TaskGraph::add_edge(TaskId before, TaskId after) {
  require(before < tasks_.size() && after < tasks_.size(), "TaskGraph::add_edge: unknown task");
  edges_.emplace_back(before, after);
}

void TaskGraph::reserve(std::size_t tasks, std::size_t edges) {
  tasks_.reserve(tasks);
  edges_.reserve(edges);
}

}  // namespace cirrus::sim
