// The task-graph runner: a discrete-event loop over integer time.
//
// Events: a delay's end, a flow's end of latency (it joins the solver), a flow's completion.
// All events at one timestamp are applied, then the max-min solver re-solves the touched
// components once, and only flows whose rate changed get a new completion event. Completion
// events are invalidated lazily: each flow carries a generation, bumped on every re-key, and a
// popped event with an old generation is skipped. Remaining bytes are updated lazily too: a
// flow stores (remaining at last_update, rate) and is brought up to date only when its rate
// changes or it completes.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

#include "sim/event_queue.hpp"
#include "sim/maxmin_solver.hpp"
#include "sim/task_graph.hpp"

namespace cirrus::sim {

namespace {

// Event kinds double as phases: within one timestamp, ends are applied before flows join.
enum EventKind : std::uint32_t { kTaskEnd = 0, kFlowEnd = 1, kFlowBegin = 2 };

// Invariant tolerance for "no constraint over capacity" after each solve.
constexpr double kMaxRelativeOverload = 1e-6;
// Completion times beyond this many picoseconds would overflow Time.
constexpr double kMaxPicoseconds = 9.0e18;

struct Flow {
  double remaining = 0;  // bytes left as of last_update
  double rate = 0;       // bytes/s since last_update
  Time last_update;
  TaskId task = kNoTask;
  std::uint32_t generation = 0;
  MaxMinSolver::VariableId var = 0;
  bool queued = false;  // a completion event with the current generation is in the queue
};

class Runner {
 public:
  explicit Runner(const TaskGraph& graph) : graph_(graph), tasks_(graph.tasks()) {}

  RunResult run() {
    build();
    for (TaskId t = 0; t < tasks_.size(); ++t) {
      if (pending_[t] == 0) start(t);
    }
    settle();
    while (!queue_.empty()) {
      const Time t = queue_.top().time;
      if (t < now_) throw std::logic_error("sim::run: time went backwards");
      now_ = t;
      do {
        const Event ev = queue_.pop();
        ++result_.stats.events;
        dispatch(ev);
      } while (!queue_.empty() && queue_.top().time == now_);
      if (solver_.dirty()) settle();
    }
    if (finished_ != tasks_.size()) {
      throw std::logic_error("sim::run: " + std::to_string(tasks_.size() - finished_) +
                             " tasks never finished (a cycle in the task graph, or a flow with no"
                             " capacity)");
    }
    return std::move(result_);
  }

 private:
  void build() {
    const std::size_t n = tasks_.size();
    const auto& edges = graph_.edges();
    if (edges.size() >= kNoTask) throw std::length_error("sim::run: too many edges");
    succ_begin_.assign(n + 1, 0);
    pending_.assign(n, 0);
    for (const auto& [before, after] : edges) {
      ++succ_begin_[before + 1];
      ++pending_[after];
    }
    for (std::size_t i = 0; i < n; ++i) succ_begin_[i + 1] += succ_begin_[i];
    // Fill with succ_begin_[t] as the cursor of t; afterwards it holds t's end, which is where
    // t + 1 begins, so shifting by one restores the offsets without a separate cursor array.
    succ_.resize(edges.size());
    for (const auto& [before, after] : edges) succ_[succ_begin_[before]++] = after;
    for (std::size_t i = n; i > 0; --i) succ_begin_[i] = succ_begin_[i - 1];
    succ_begin_[0] = 0;

    plan_.resize(n);
    std::int64_t flows = 0;
    for (TaskId t = 0; t < n; ++t) {
      plan_[t] = tasks_[t].kind == TaskKind::kFlow ? -1 - flows++ : tasks_[t].duration.count();
    }
    flows_.assign(static_cast<std::size_t>(flows), Flow{});

    const auto& uses = graph_.uses();
    solver_uses_.resize(uses.size());
    for (std::size_t i = 0; i < uses.size(); ++i) {
      solver_uses_[i] = MaxMinSolver::Use{uses[i].resource, uses[i].coefficient};
    }
    const auto& capacities = graph_.resource_capacities();
    solver_.reserve(capacities.size(), 0);
    for (double c : capacities) solver_.add_constraint(c);

    result_.timings.assign(n, TaskTiming{});
    result_.stats.resource_bytes.assign(capacities.size(), 0.0);
    queue_.reserve(256);
  }

  void dispatch(const Event& ev) {
    switch (ev.kind) {
      case kTaskEnd:
        finish(ev.id);
        break;
      case kFlowBegin:
        begin_transfer(ev.id);
        break;
      case kFlowEnd: {
        Flow& f = flows_[ev.id];
        if (ev.generation == f.generation) {
          f.queued = false;
          complete_flow(f);
        } else {
          --stale_;
        }
        break;
      }
      default:
        throw std::logic_error("sim::run: unknown event kind");
    }
  }

  void start(TaskId t) {
    // ready and binding were maintained in place as the predecessors finished.
    result_.timings[t].start = now_;
    const std::int64_t plan = plan_[t];
    if (plan >= 0) {
      queue_.push(now_ + Time::ps(plan), kTaskEnd, kTaskEnd, t);
      // The successors' state is needed when t ends, many events from now: fetch it while other
      // work runs instead of stalling on it then.
      const std::uint32_t end = succ_begin_[t + 1];
      for (std::uint32_t i = succ_begin_[t]; i < end; ++i) {
        __builtin_prefetch(&result_.timings[succ_[i]], 1);
        __builtin_prefetch(&pending_[succ_[i]], 1);
      }
    } else if (tasks_[t].duration > Time::zero()) {
      queue_.push(now_ + tasks_[t].duration, kFlowBegin, kFlowBegin, t);
    } else {
      begin_transfer(t);
    }
  }

  void finish(TaskId t) {
    result_.timings[t].end = now_;
    if (now_ > result_.stats.makespan) result_.stats.makespan = now_;
    ++finished_;
    const std::uint32_t end = succ_begin_[t + 1];
    for (std::uint32_t i = succ_begin_[t]; i < end; ++i) {
      const TaskId s = succ_[i];
      TaskTiming& timing = result_.timings[s];
      // Events arrive in time order, so now_ >= every earlier predecessor's end: the running
      // maximum of the ends is ready, and the binding predecessor changes only on a later end or
      // an equal end from a lower id.
      if (timing.binding == kNoTask || now_ > timing.ready || t < timing.binding) {
        timing.ready = now_;
        timing.binding = t;
      }
      if (--pending_[s] == 0) start(s);
    }
  }

  void begin_transfer(TaskId t) {
    const Task& task = tasks_[t];
    if (task.bytes <= 0) {
      // Queued rather than finished here, so that chains of empty flows do not recurse.
      queue_.push(now_, kTaskEnd, kTaskEnd, t);
      return;
    }
    const auto slot = static_cast<std::uint32_t>(-1 - plan_[t]);
    Flow& f = flows_[slot];
    f.remaining = task.bytes;
    f.rate = 0;
    f.last_update = now_;
    f.task = t;
    f.var = solver_.add_variable(
        task.weight, task.bound,
        std::span<const MaxMinSolver::Use>(solver_uses_.data() + task.uses_begin, task.uses_count));
    if (f.var >= var_flow_.size()) var_flow_.resize(f.var + 1);
    var_flow_[f.var] = slot;
  }

  void account(const Task& task, double moved) {
    auto& bytes = result_.stats.resource_bytes;
    const auto& uses = graph_.uses();
    for (std::uint32_t i = 0; i < task.uses_count; ++i) {
      const ResourceUse& u = uses[task.uses_begin + i];
      bytes[u.resource] += u.coefficient * moved;
    }
  }

  // Brings f.remaining up to now_ at its current rate.
  void advance(Flow& f) {
    if (f.rate > 0 && now_ > f.last_update) {
      const double moved = std::min(f.remaining, f.rate * (now_ - f.last_update).seconds());
      f.remaining -= moved;
      account(tasks_[f.task], moved);
    }
    f.last_update = now_;
  }

  void complete_flow(Flow& f) {
    // The completion time was rounded up: whatever is left has been delivered by now.
    account(tasks_[f.task], f.remaining);
    f.remaining = 0;
    ++f.generation;
    solver_.remove_variable(f.var);
    finish(f.task);
  }

  void schedule(std::uint32_t slot) {
    Flow& f = flows_[slot];
    if (!(f.rate > 0)) return;  // stalled until a later solve gives it capacity
    const double s = f.remaining > 0 ? f.remaining / f.rate : 0.0;
    if (!(s * 1e12 < kMaxPicoseconds - static_cast<double>(now_.count()))) {
      throw std::logic_error("sim::run: flow completion beyond the representable time");
    }
    queue_.push(now_ + Time::from_seconds(s), kFlowEnd, kFlowEnd, slot, f.generation);
    f.queued = true;
  }

  // Stale completion events cost heap depth until popped; when they outnumber the live ones,
  // drop them in one O(n) pass.
  void maybe_compact() {
    const std::size_t live = queue_.size() - stale_;
    if (stale_ < 4096 || stale_ < 2 * live) return;
    queue_.compact([this](const Event& e) {
      return e.kind == kFlowEnd && e.generation != flows_[e.id].generation;
    });
    stale_ = 0;
  }

  void settle() {
    if (!solver_.dirty()) return;
    solver_.solve();
    ++result_.stats.solves;
    if (solver_.max_relative_overload() > kMaxRelativeOverload) {
      throw std::logic_error("sim::run: a resource is over capacity after a solve");
    }
    for (MaxMinSolver::VariableId v : solver_.changed()) {
      const std::uint32_t slot = var_flow_[v];
      Flow& f = flows_[slot];
      advance(f);
      f.rate = solver_.rate(v);
      ++f.generation;
      if (f.queued) {
        ++stale_;
        f.queued = false;
      }
      ++result_.stats.rate_changes;
      schedule(slot);
    }
    maybe_compact();
  }

  const TaskGraph& graph_;
  const std::vector<Task>& tasks_;
  std::vector<std::uint32_t> succ_begin_;  // CSR successor lists
  std::vector<TaskId> succ_;
  std::vector<std::uint32_t> pending_;  // predecessors not yet finished
  std::vector<std::int64_t> plan_;      // delay: duration in ps (>= 0); flow: -1 - its flow slot
  std::vector<Flow> flows_;
  std::vector<std::uint32_t> var_flow_;  // solver variable -> flow slot
  std::vector<MaxMinSolver::Use> solver_uses_;
  EventQueue queue_;
  MaxMinSolver solver_;
  RunResult result_;
  Time now_;
  std::size_t finished_ = 0;
  std::size_t stale_ = 0;  // completion events in the queue with an old generation
};

}  // namespace

RunResult run(const TaskGraph& graph) { return Runner(graph).run(); }

}  // namespace cirrus::sim
