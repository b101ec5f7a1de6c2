// Engine benchmarks: the event queue, the runner on delay-only and flow-heavy graphs, and the
// max-min solver full vs incremental. The project target is >= 5 million engine events per
// second on one core for the runner.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "common/rng.hpp"
#include "sim/event_queue.hpp"
#include "sim/maxmin_solver.hpp"
#include "sim/task_graph.hpp"

namespace cirrus::sim {
namespace {

// Hold model: a queue of n events; each step pops the earliest and pushes a later one.
void BM_EventQueue(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  Rng rng(1);
  EventQueue q;
  q.reserve(n + 1);
  for (std::size_t i = 0; i < n; ++i) {
    q.push(Time::ps(static_cast<std::int64_t>(rng.next() % 1'000'000)),
           static_cast<std::uint32_t>(i & 1), 0, static_cast<std::uint32_t>(i));
  }
  for (auto _ : state) {
    const Event e = q.pop();
    q.push(e.time + Time::ps(static_cast<std::int64_t>(rng.next() % 1'000'000)), e.phase, e.kind,
           e.id);
    benchmark::DoNotOptimize(e);
  }
  state.SetItemsProcessed(state.iterations());  // one pop + one push per item
}
BENCHMARK(BM_EventQueue)->Arg(64)->Arg(4096)->Arg(1 << 18);

// ~1M delay tasks on 64 streams (stream order), plus cross edges from recent tasks on other
// streams, like a pipeline of kernels with dependencies between ranks.
TaskGraph make_delay_graph(std::size_t tasks, std::size_t streams) {
  Rng rng(2);
  TaskGraph g;
  g.reserve(tasks, tasks * 2);
  std::vector<StreamId> ids;
  for (std::size_t s = 0; s < streams; ++s) ids.push_back(g.add_stream());
  for (std::size_t i = 0; i < tasks; ++i) {
    const auto d = Time::ps(1000 + static_cast<std::int64_t>(rng.next() % 1'000'000));
    const TaskId t = g.add_delay(ids[i % streams], d, 0);
    if (t >= 4 * streams && rng.uniform() < 0.5) {
      g.add_edge(static_cast<TaskId>(t - streams - 1 - rng.next() % (3 * streams)), t);
    }
  }
  return g;
}

void BM_RunnerDelayChain(benchmark::State& state) {
  const TaskGraph g = make_delay_graph(static_cast<std::size_t>(state.range(0)), 64);
  std::uint64_t events = 0;
  for (auto _ : state) {
    const RunResult r = run(g);
    events += r.stats.events;
    benchmark::DoNotOptimize(r.stats.makespan);
  }
  state.counters["events_per_s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["tasks"] = static_cast<double>(g.task_count());
}
BENCHMARK(BM_RunnerDelayChain)->Arg(1 << 20)->Unit(benchmark::kMillisecond);

// Thousands of concurrent flows: `streams` streams, each a chain of compute delays and flows over
// 2-4 of 256 shared links, so about `streams` flows are in flight at any time.
TaskGraph make_flow_graph(std::size_t streams, std::size_t per_stream) {
  Rng rng(3);
  TaskGraph g;
  constexpr std::size_t kLinks = 256;
  for (std::size_t l = 0; l < kLinks; ++l) g.add_resource(50e9);
  std::vector<StreamId> ids;
  for (std::size_t s = 0; s < streams; ++s) ids.push_back(g.add_stream());
  std::vector<ResourceUse> uses;
  for (std::size_t i = 0; i < per_stream; ++i) {
    for (std::size_t s = 0; s < streams; ++s) {
      g.add_delay(ids[s], Time::ps(static_cast<std::int64_t>(rng.next() % 2'000'000)), 0);
      uses.clear();
      const std::size_t n = 2 + rng.next() % 3;
      for (std::size_t k = 0; k < n; ++k) {
        uses.push_back({static_cast<ResourceId>(rng.next() % kLinks), 1.0});
      }
      g.add_flow(ids[s], Time::ps(2'000'000), 1e6 * (1 + rng.uniform()), uses, 1);
    }
  }
  return g;
}

void BM_RunnerFlows(benchmark::State& state) {
  const TaskGraph g = make_flow_graph(static_cast<std::size_t>(state.range(0)), 8);
  std::uint64_t events = 0;
  std::uint64_t solves = 0;
  for (auto _ : state) {
    const RunResult r = run(g);
    events += r.stats.events;
    solves += r.stats.solves;
    benchmark::DoNotOptimize(r.stats.makespan);
  }
  state.counters["events_per_s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["solves_per_s"] =
      benchmark::Counter(static_cast<double>(solves), benchmark::Counter::kIsRate);
  state.counters["tasks"] = static_cast<double>(g.task_count());
}
BENCHMARK(BM_RunnerFlows)->Arg(256)->Arg(1024)->Unit(benchmark::kMillisecond);

// 32k random flows on 2k constraints. `groups` splits the constraints into independent pods
// (flows stay inside one pod): with 1 group everything is one component and an incremental
// solve costs a full one; with 64, one add/remove re-solves 1/64 of the system.
struct SolverSystem {
  MaxMinSolver solver;
  std::vector<MaxMinSolver::VariableId> vars;
};

void add_random_flow(SolverSystem& sys, Rng& rng, std::size_t groups, std::size_t per_group) {
  MaxMinSolver::Use uses[4];
  const std::size_t group = rng.next() % groups;
  const std::size_t n = 1 + rng.next() % 4;
  for (std::size_t k = 0; k < n; ++k) {
    uses[k] = {static_cast<MaxMinSolver::ConstraintId>(group * per_group + rng.next() % per_group),
               1.0};
  }
  sys.vars.push_back(sys.solver.add_variable(1.0, MaxMinSolver::kInfinity,
                                             std::span<const MaxMinSolver::Use>(uses, n)));
}

void make_solver_system(SolverSystem& sys, Rng& rng, std::size_t groups) {
  constexpr std::size_t kConstraints = 2048;
  constexpr std::size_t kFlows = 32768;
  const std::size_t per_group = kConstraints / groups;
  for (std::size_t c = 0; c < kConstraints; ++c) {
    sys.solver.add_constraint(1e9 * (1 + rng.uniform()));
  }
  for (std::size_t i = 0; i < kFlows; ++i) add_random_flow(sys, rng, groups, per_group);
  sys.solver.solve_full();
}

void BM_SolverFull(benchmark::State& state) {
  Rng rng(4);
  SolverSystem sys;
  make_solver_system(sys, rng, static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    sys.solver.solve_full();
    benchmark::DoNotOptimize(sys.solver.rate(0));
  }
}
BENCHMARK(BM_SolverFull)->Arg(1)->Arg(64)->Unit(benchmark::kMillisecond);

// One flow leaves, one arrives, incremental solve.
void BM_SolverIncremental(benchmark::State& state) {
  const auto groups = static_cast<std::size_t>(state.range(0));
  Rng rng(4);
  SolverSystem sys;
  make_solver_system(sys, rng, groups);
  std::uint64_t changed = 0;
  for (auto _ : state) {
    const std::size_t i = rng.next() % sys.vars.size();
    sys.solver.remove_variable(sys.vars[i]);
    sys.vars[i] = sys.vars.back();
    sys.vars.pop_back();
    add_random_flow(sys, rng, groups, 2048 / groups);
    sys.solver.solve();
    changed += sys.solver.changed().size();
  }
  state.counters["changed_per_solve"] =
      static_cast<double>(changed) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_SolverIncremental)->Arg(1)->Arg(64)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace cirrus::sim
