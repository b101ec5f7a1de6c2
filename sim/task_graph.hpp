#pragma once
// The task graph the engine runs: what the models compile a training step into.
//
// A task is either a DELAY (busy for a fixed duration, e.g. a kernel) or a FLOW (waits a fixed
// latency, then moves `bytes` through a set of shared resources at the rate the max-min solver
// gives it). A task starts when every predecessor has finished. Streams are in-order queues,
// like CUDA streams: a task on a stream also waits for the previous task on that stream.
// Resources are the solver's constraints (a link direction, a NIC share) with a capacity in
// bytes per second.
//
// Ids are dense indices in insertion order; nothing here allocates per event at run time.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <stdexcept>
#include <utility>
#include <vector>

#include "sim/time.hpp"

namespace cirrus::sim {

using TaskId = std::uint32_t;
using StreamId = std::uint32_t;
using ResourceId = std::uint32_t;
inline constexpr StreamId kNoStream = std::numeric_limits<StreamId>::max();
inline constexpr TaskId kNoTask = std::numeric_limits<TaskId>::max();

// One use of a resource by a flow. `coefficient` is how many units of the flow's rate the
// resource carries: a class of k identical flows aggregated into one uses coefficient k.
struct ResourceUse {
  ResourceId resource;
  double coefficient = 1.0;
};

enum class TaskKind : std::uint8_t { kDelay, kFlow };

// The most tasks a graph holds unless told otherwise: a task with its edges, timing and the
// solver's share costs about 150 bytes, so the largest graph stays near a gigabyte and its run
// within seconds to a minute. Callers check their predicted size against it first
// (models/step/simulate.hpp); this is the hard stop behind that estimate.
inline constexpr std::size_t kDefaultTaskLimit = 8'000'000;

// Thrown by TaskGraph when a task would go past its limit.
class GraphTooLarge : public std::length_error {
 public:
  explicit GraphTooLarge(std::size_t limit);
  std::size_t limit() const { return limit_; }

 private:
  std::size_t limit_;
};

// A run of uses stored once in the graph and shared by every flow that names it: a collective
// added a thousand times (one pipeline send per micro-batch) stores its link list once.
struct UseSpan {
  std::uint32_t begin = 0;
  std::uint32_t count = 0;
};

struct Task {
  TaskKind kind = TaskKind::kDelay;
  std::uint16_t tag = 0;  // caller's category (compute, tp_comm, ...); opaque to the engine
  StreamId stream = kNoStream;
  Time duration;        // delay: busy time; flow: latency before bytes move
  double bytes = 0;     // flow only
  double weight = 1.0;  // flow only: max-min weight
  double bound = std::numeric_limits<double>::infinity();  // flow only: rate cap, bytes/s
  std::uint32_t uses_begin = 0;                            // into TaskGraph::uses()
  std::uint32_t uses_count = 0;
  std::uint32_t label = 0;  // caller's payload (e.g. an index into its own op table)
};

class TaskGraph {
 public:
  ResourceId add_resource(double capacity_bytes_per_s);
  StreamId add_stream();

  TaskId add_delay(StreamId stream, Time duration, std::uint16_t tag, std::uint32_t label = 0);
  TaskId add_flow(StreamId stream, Time latency, double bytes, std::span<const ResourceUse> uses,
                  std::uint16_t tag, std::uint32_t label = 0, double weight = 1.0,
                  double bound = std::numeric_limits<double>::infinity());
  // Stores `uses` once (validated here) for flows that share them.
  UseSpan add_uses(std::span<const ResourceUse> uses);
  // A flow over uses stored by add_uses.
  TaskId add_shared_flow(StreamId stream, Time latency, double bytes, UseSpan uses,
                         std::uint16_t tag, std::uint32_t label = 0, double weight = 1.0,
                         double bound = std::numeric_limits<double>::infinity());
  // `before` must finish before `after` starts. Duplicate edges are harmless.
  void add_edge(TaskId before, TaskId after);

  std::size_t task_count() const { return tasks_.size(); }
  std::size_t edge_count() const { return edges_.size(); }
  std::size_t stream_count() const { return stream_last_.size(); }
  const std::vector<Task>& tasks() const { return tasks_; }
  const std::vector<ResourceUse>& uses() const { return uses_; }
  const std::vector<double>& resource_capacities() const { return capacities_; }
  // Explicit edges plus the implicit stream-order edges, as (before, after) pairs.
  const std::vector<std::pair<TaskId, TaskId>>& edges() const { return edges_; }

  void reserve(std::size_t tasks, std::size_t edges);

  // Adding a task past `limit` tasks throws GraphTooLarge (default kDefaultTaskLimit).
  void set_task_limit(std::size_t limit) { task_limit_ = limit; }
  std::size_t task_limit() const { return task_limit_; }

  // Merges redundant constraints: a resource with the same capacity and the same uses (the
  // same flows, in task order, with the same coefficients) as a lower-numbered one constrains
  // max-min sharing exactly as that one does, so its uses are dropped from the flows and only
  // the lowest of each such group (its representative) stays in the solver. Rates, times and
  // the representative's bytes are unchanged; a merged resource carries no bytes in the run
  // (its true bytes are its representative's). Returns each resource's representative (itself
  // when kept). O(uses); a symmetric network model (every NIC of a stage carrying the same
  // classes of flows) loses most of its constraints to it.
  std::vector<ResourceId> merge_identical_resources();
  // The same with the representatives given by a caller that knows them (the flow model does,
  // from its lowered collectives, without scanning every use): rep[r] must have r's capacity
  // and uses. Drops the uses of every resource r with rep[r] != r. O(stored uses), one pass;
  // flows that shared a span still share its compacted copy.
  void merge_resources(const std::vector<ResourceId>& rep);

 private:
  TaskId push(Task t);
  TaskId push_flow(StreamId stream, Time latency, double bytes, UseSpan uses, std::uint16_t tag,
                   std::uint32_t label, double weight, double bound);
  std::vector<Task> tasks_;
  std::vector<ResourceUse> uses_;
  std::vector<double> capacities_;
  std::vector<std::pair<TaskId, TaskId>> edges_;
  std::vector<TaskId> stream_last_;  // last task per stream, or kNoTask
  std::size_t task_limit_ = kDefaultTaskLimit;
};

// What the runner reports for each task.
struct TaskTiming {
  Time ready;  // all predecessors done
  Time start;  // flows: == ready; the latency is part of [start, end)
  Time end;
  TaskId binding = std::numeric_limits<TaskId>::max();  // the predecessor that finished last
};

struct RunStats {
  std::uint64_t events = 0;        // events popped from the queue
  std::uint64_t solves = 0;        // incremental max-min solves (one per timestamp with change)
  std::uint64_t rate_changes = 0;  // flows whose rate changed and were re-keyed
  Time makespan;
  // Per resource: bytes carried over the run (sum over flows of rate x coefficient x time).
  std::vector<double> resource_bytes;
};

struct RunResult {
  std::vector<TaskTiming> timings;  // indexed by TaskId
  RunStats stats;
};

// Runs the graph to completion. Throws std::logic_error on a cycle (tasks left unfinished).
RunResult run(const TaskGraph& graph);

}  // namespace cirrus::sim
