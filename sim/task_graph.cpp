#include "sim/task_graph.hpp"

#include <algorithm>
#include <functional>
#include <unordered_map>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

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

GraphTooLarge::GraphTooLarge(std::size_t limit)
    : std::length_error("task graph past its limit of " + std::to_string(limit) + " tasks"),
      limit_(limit) {}

StreamId TaskGraph::add_stream() {
  require(stream_last_.size() < kNoStream, "TaskGraph::add_stream: too many streams");
  stream_last_.push_back(kNoTask);
  return static_cast<StreamId>(stream_last_.size() - 1);
}

TaskId TaskGraph::push(Task t) {
  require(t.stream == kNoStream || t.stream < stream_last_.size(), "TaskGraph: unknown stream");
  require(t.duration >= Time::zero(), "TaskGraph: negative duration");
  require(tasks_.size() < kNoTask, "TaskGraph: too many tasks");
  if (tasks_.size() >= task_limit_) throw GraphTooLarge(task_limit_);
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

UseSpan TaskGraph::add_uses(std::span<const ResourceUse> uses) {
  for (const ResourceUse& u : uses) {
    require(u.resource < capacities_.size(), "TaskGraph::add_flow: unknown resource");
    require(u.coefficient > 0 && std::isfinite(u.coefficient),
            "TaskGraph::add_flow: coefficient must be finite and > 0");
  }
  require(uses_.size() + uses.size() < std::numeric_limits<std::uint32_t>::max(),
          "TaskGraph: too many resource uses");
  const UseSpan span{static_cast<std::uint32_t>(uses_.size()),
                     static_cast<std::uint32_t>(uses.size())};
  uses_.insert(uses_.end(), uses.begin(), uses.end());
  return span;
}

TaskId TaskGraph::push_flow(StreamId stream, Time latency, double bytes, UseSpan uses,
                            std::uint16_t tag, std::uint32_t label, double weight, double bound) {
  require(bytes >= 0 && std::isfinite(bytes), "TaskGraph::add_flow: bytes must be finite, >= 0");
  require(weight > 0 && std::isfinite(weight), "TaskGraph::add_flow: weight must be finite, > 0");
  require(bound > 0, "TaskGraph::add_flow: bound must be > 0");
  require(static_cast<std::size_t>(uses.begin) + uses.count <= uses_.size(),
          "TaskGraph::add_flow: uses not stored in this graph");
  Task t;
  t.kind = TaskKind::kFlow;
  t.tag = tag;
  t.stream = stream;
  t.duration = latency;
  t.bytes = bytes;
  t.weight = weight;
  t.bound = bound;
  t.uses_begin = uses.begin;
  t.uses_count = uses.count;
  t.label = label;
  return push(t);
}

TaskId TaskGraph::add_shared_flow(StreamId stream, Time latency, double bytes, UseSpan uses,
                                  std::uint16_t tag, std::uint32_t label, double weight,
                                  double bound) {
  return push_flow(stream, latency, bytes, uses, tag, label, weight, bound);
}

TaskId TaskGraph::add_flow(StreamId stream, Time latency, double bytes,
                           std::span<const ResourceUse> uses, std::uint16_t tag,
                           std::uint32_t label, double weight, double bound) {
  // Validate everything before the uses are stored, so a throw leaves the graph unchanged.
  require(bytes >= 0 && std::isfinite(bytes), "TaskGraph::add_flow: bytes must be finite, >= 0");
  require(weight > 0 && std::isfinite(weight), "TaskGraph::add_flow: weight must be finite, > 0");
  require(bound > 0, "TaskGraph::add_flow: bound must be > 0");
  require(stream == kNoStream || stream < stream_last_.size(), "TaskGraph: unknown stream");
  require(latency >= Time::zero(), "TaskGraph: negative duration");
  require(tasks_.size() < kNoTask, "TaskGraph: too many tasks");
  const UseSpan span = add_uses(uses);
  return push_flow(stream, latency, bytes, span, tag, label, weight, bound);
}

void TaskGraph::add_edge(TaskId before, TaskId after) {
  require(before < tasks_.size() && after < tasks_.size(), "TaskGraph::add_edge: unknown task");
  edges_.emplace_back(before, after);
}

void TaskGraph::reserve(std::size_t tasks, std::size_t edges) {
  tasks_.reserve(tasks);
  edges_.reserve(edges);
}

std::vector<ResourceId> TaskGraph::merge_identical_resources() {
  const std::size_t resources = capacities_.size();
  std::vector<ResourceId> rep(resources);
  for (std::size_t r = 0; r < resources; ++r) rep[r] = static_cast<ResourceId>(r);
  // Each resource's uses as (task, coefficient), in task order (compressed rows). Counted per
  // task: flows may share a stored span.
  std::vector<std::uint32_t> start(resources + 1, 0);
  for (const Task& task : tasks_) {
    for (std::uint32_t i = 0; i < task.uses_count; ++i) {
      ++start[uses_[task.uses_begin + i].resource + 1];
    }
  }
  for (std::size_t r = 0; r < resources; ++r) start[r + 1] += start[r];
  std::vector<std::pair<TaskId, double>> users(start[resources]);
  {
    std::vector<std::uint32_t> cursor(start.begin(), start.end() - 1);
    for (TaskId t = 0; t < tasks_.size(); ++t) {
      const Task& task = tasks_[t];
      for (std::uint32_t i = 0; i < task.uses_count; ++i) {
        const ResourceUse& u = uses_[task.uses_begin + i];
        users[cursor[u.resource]++] = {t, u.coefficient};
      }
    }
  }
  auto same = [&](std::size_t a, std::size_t b) {
    return capacities_[a] == capacities_[b] && start[a + 1] - start[a] == start[b + 1] - start[b] &&
           std::equal(users.begin() + start[a], users.begin() + start[a + 1],
                      users.begin() + start[b]);
  };
  // Candidates by a hash of the signature; the lowest id of each group is its representative.
  // The map's order never reaches the result: resources are visited in id order.
  std::unordered_map<std::uint64_t, std::vector<ResourceId>> buckets;
  bool merged = false;
  for (std::size_t r = 0; r < resources; ++r) {
    if (start[r + 1] == start[r]) continue;  // unused: nothing to merge
    std::uint64_t h = std::hash<double>{}(capacities_[r]);
    for (std::uint32_t k = start[r]; k < start[r + 1]; ++k) {
      h = (h ^ users[k].first) * 0x9e3779b97f4a7c15ULL;
      h = (h ^ std::hash<double>{}(users[k].second)) * 0xbf58476d1ce4e5b9ULL;
      h ^= h >> 29;
    }
    auto& bucket = buckets[h];
    for (const ResourceId other : bucket) {
      if (same(other, r)) {
        rep[r] = other;
        merged = true;
        break;
      }
    }
    if (rep[r] == r) bucket.push_back(static_cast<ResourceId>(r));
  }
  if (merged) merge_resources(rep);
  return rep;
}

void TaskGraph::merge_resources(const std::vector<ResourceId>& rep) {
  require(rep.size() == capacities_.size(), "TaskGraph::merge_resources: one entry per resource");
  // Spans are disjoint runs of uses_ (add_uses appends), so a non-empty span is known by its
  // begin: compact each once and point every flow that shared it at the compacted copy.
  constexpr std::uint32_t kUnseen = std::numeric_limits<std::uint32_t>::max();
  std::vector<std::uint32_t> moved(uses_.size(), kUnseen);  // old begin -> new begin
  std::vector<std::uint32_t> kept_count(uses_.size(), 0);
  std::vector<ResourceUse> kept;
  kept.reserve(uses_.size());
  for (Task& task : tasks_) {
    if (task.uses_count == 0) {
      task.uses_begin = 0;
      continue;
    }
    std::uint32_t& to = moved[task.uses_begin];
    if (to == kUnseen) {
      to = static_cast<std::uint32_t>(kept.size());
      for (std::uint32_t i = 0; i < task.uses_count; ++i) {
        const ResourceUse& u = uses_[task.uses_begin + i];
        if (rep[u.resource] == u.resource) kept.push_back(u);
      }
      kept_count[task.uses_begin] = static_cast<std::uint32_t>(kept.size()) - to;
    }
    const std::uint32_t count = kept_count[task.uses_begin];
    task.uses_begin = to;
    task.uses_count = count;
  }
  uses_ = std::move(kept);
}

}  // namespace cirrus::sim
