// Property tests of the engine on random, seeded inputs: conservation, capacity, max-min
// optimality, incremental == full, aggregation, and bit-identical reruns.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <vector>

#include "common/rng.hpp"
#include "sim/maxmin_solver.hpp"
#include "sim/task_graph.hpp"

namespace cirrus::sim {
namespace {

using Use = MaxMinSolver::Use;
using VarId = MaxMinSolver::VariableId;

std::uint64_t below(Rng& rng, std::uint64_t n) { return rng.next() % n; }

bool close(double a, double b, double rel) {
  if (a == b) return true;
  return std::fabs(a - b) <= rel * std::max(std::fabs(a), std::fabs(b));
}

// ---------------------------------------------------------------------------------------------
// Random task graphs through the runner.

struct RandomGraph {
  TaskGraph graph;
  double expected_bytes = 0;  // sum over flows of bytes x coefficient
};

RandomGraph make_graph(std::uint64_t seed, std::size_t tasks) {
  Rng rng(seed);
  RandomGraph out;
  TaskGraph& g = out.graph;
  const std::size_t resources = 1 + below(rng, 12);
  for (std::size_t r = 0; r < resources; ++r) g.add_resource(1e9 * (0.5 + rng.uniform() * 10));
  const std::size_t streams = below(rng, 6);
  for (std::size_t s = 0; s < streams; ++s) g.add_stream();
  std::vector<ResourceUse> uses;
  for (std::size_t i = 0; i < tasks; ++i) {
    const StreamId stream =
        streams > 0 && rng.uniform() < 0.5 ? static_cast<StreamId>(below(rng, streams)) : kNoStream;
    TaskId id;
    if (rng.uniform() < 0.4) {
      id = g.add_delay(stream, Time::ps(static_cast<std::int64_t>(below(rng, 5'000'000))), 1);
    } else {
      uses.clear();
      const std::size_t n = below(rng, 4);  // 0..3 uses; 0 means an unconstrained flow
      for (std::size_t k = 0; k < n; ++k) {
        const double coef = (rng.next() & 1) ? 1.0 : static_cast<double>(1 + below(rng, 8));
        uses.push_back({static_cast<ResourceId>(below(rng, resources)), coef});
      }
      const double bytes = rng.uniform() < 0.1 ? 0.0 : 1e3 + rng.uniform() * 1e7;
      const double weight = rng.uniform() < 0.7 ? 1.0 : 0.5 + rng.uniform() * 3;
      double bound = MaxMinSolver::kInfinity;
      if (n == 0 || rng.uniform() < 0.3) bound = 1e8 * (0.5 + rng.uniform() * 20);
      const auto latency = Time::ps(static_cast<std::int64_t>(below(rng, 3'000'000)));
      id = g.add_flow(stream, latency, bytes, uses, 2, 0, weight, bound);
      for (const auto& u : uses) out.expected_bytes += bytes * u.coefficient;
    }
    // A few random edges from earlier tasks keep the graph acyclic.
    const std::size_t preds = id == 0 ? 0 : below(rng, 3);
    for (std::size_t k = 0; k < preds; ++k) g.add_edge(static_cast<TaskId>(below(rng, id)), id);
  }
  return out;
}

TEST_CASE("engine property: random graphs conserve bytes, respect order and rerun identically",
          "[sim][property]") {
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    CAPTURE(seed);
    const RandomGraph rg = make_graph(seed, 50 + (seed * 37) % 400);
    const TaskGraph& g = rg.graph;
    const RunResult r = run(g);  // throws if time ran backwards or a link went over capacity

    // Bytes conserved: what the resources carried equals what the flows asked to move.
    double carried = 0;
    for (double b : r.stats.resource_bytes) carried += b;
    CHECK(close(carried, rg.expected_bytes, 1e-6));

    // Precedence, binding, durations, and no flow faster than its tightest cap.
    for (const auto& [before, after] : g.edges()) {
      REQUIRE(r.timings[before].end <= r.timings[after].ready);
    }
    Time last = Time::zero();
    for (TaskId t = 0; t < g.task_count(); ++t) {
      const Task& task = g.tasks()[t];
      const TaskTiming& tm = r.timings[t];
      last = std::max(last, tm.end);
      REQUIRE(tm.start == tm.ready);
      if (tm.binding != kNoTask) REQUIRE(r.timings[tm.binding].end == tm.ready);
      if (task.kind == TaskKind::kDelay) {
        REQUIRE(tm.end == tm.start + task.duration);
      } else {
        double fastest = task.bound;
        for (std::uint32_t k = 0; k < task.uses_count; ++k) {
          const ResourceUse& u = g.uses()[task.uses_begin + k];
          fastest = std::min(fastest, g.resource_capacities()[u.resource] / u.coefficient);
        }
        const double transfer = (tm.end - tm.start - task.duration).seconds();
        REQUIRE(transfer >= task.bytes / fastest * (1 - 1e-9) - 1e-12);
      }
    }
    CHECK(r.stats.makespan == last);

    // Rerun: bit-identical timings and statistics.
    const RunResult again = run(g);
    REQUIRE(again.timings.size() == r.timings.size());
    for (std::size_t t = 0; t < r.timings.size(); ++t) {
      REQUIRE(again.timings[t].ready == r.timings[t].ready);
      REQUIRE(again.timings[t].start == r.timings[t].start);
      REQUIRE(again.timings[t].end == r.timings[t].end);
      REQUIRE(again.timings[t].binding == r.timings[t].binding);
    }
    CHECK(again.stats.events == r.stats.events);
    CHECK(again.stats.solves == r.stats.solves);
    CHECK(again.stats.rate_changes == r.stats.rate_changes);
    CHECK(std::memcmp(again.stats.resource_bytes.data(), r.stats.resource_bytes.data(),
                      r.stats.resource_bytes.size() * sizeof(double)) == 0);
  }
}

TEST_CASE("engine property: many concurrent flows on shared links", "[sim][property]") {
  // All flows start together on a handful of links: heavy sharing, many re-solves.
  Rng rng(99);
  TaskGraph g;
  for (int r = 0; r < 8; ++r) g.add_resource(1e9 * (1 + r));
  double expected = 0;
  for (int i = 0; i < 400; ++i) {
    const ResourceUse u[] = {{static_cast<ResourceId>(below(rng, 8)), 1.0},
                             {static_cast<ResourceId>(below(rng, 8)), 2.0}};
    const double bytes = 1e6 * (1 + rng.uniform());
    g.add_flow(kNoStream, Time::zero(), bytes, u, 0);
    expected += bytes * 3;
  }
  const RunResult r = run(g);
  double carried = 0;
  for (double b : r.stats.resource_bytes) carried += b;
  CHECK(close(carried, expected, 1e-6));
  CHECK(r.stats.solves >= 2);
}

// ---------------------------------------------------------------------------------------------
// The solver on random sequences of add / remove / set_capacity.

struct ModelVar {
  bool alive = false;
  double weight = 1;
  double bound = MaxMinSolver::kInfinity;
  std::vector<Use> uses;
};

// Max-min certificate: every variable has hit its bound, or crosses a saturated constraint on
// which its rate / weight is maximal.
void check_certificate(const MaxMinSolver& s, const std::vector<ModelVar>& vars) {
  const std::size_t nc = s.constraint_count();
  std::vector<double> load(nc, 0.0);
  std::vector<double> max_level(nc, 0.0);
  for (VarId v = 0; v < vars.size(); ++v) {
    if (!vars[v].alive) continue;
    for (const Use& u : vars[v].uses) {
      load[u.constraint] += u.coefficient * s.rate(v);
      max_level[u.constraint] = std::max(max_level[u.constraint], s.rate(v) / vars[v].weight);
    }
  }
  for (MaxMinSolver::ConstraintId c = 0; c < nc; ++c) {
    REQUIRE(load[c] <= s.capacity(c) * (1 + 1e-9) + 1e-300);
    REQUIRE(close(load[c], s.load(c), 1e-9));
  }
  for (VarId v = 0; v < vars.size(); ++v) {
    const ModelVar& m = vars[v];
    if (!m.alive) continue;
    const double rate = s.rate(v);
    REQUIRE(rate >= 0);
    REQUIRE(rate <= m.bound * (1 + 1e-12));
    if (m.uses.empty()) {
      REQUIRE(rate == m.bound);
      continue;
    }
    if (rate >= m.bound * (1 - 1e-9)) continue;
    bool certified = false;
    for (const Use& u : m.uses) {
      const double cap = s.capacity(u.constraint);
      const bool saturated = cap - load[u.constraint] <= 1e-9 * cap;
      if (saturated && rate / m.weight >= max_level[u.constraint] * (1 - 1e-9)) certified = true;
    }
    CAPTURE(v, rate);
    REQUIRE(certified);
  }
}

TEST_CASE("engine property: incremental solve equals the full solve and is max-min",
          "[sim][property]") {
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    CAPTURE(seed);
    Rng rng(seed * 1000 + 3);
    MaxMinSolver inc;   // solve() only
    MaxMinSolver full;  // solve_full() only, same operations
    const std::size_t groups = 1 + below(rng, 4);
    const std::size_t per_group = 3 + below(rng, 10);
    for (std::size_t c = 0; c < groups * per_group; ++c) {
      const double cap = 1 + rng.uniform() * 100;
      inc.add_constraint(cap);
      full.add_constraint(cap);
    }
    std::vector<ModelVar> vars;
    std::vector<VarId> alive;
    std::vector<Use> uses;
    for (int step = 0; step < 400; ++step) {
      const double op = rng.uniform();
      if (op < 0.55 || alive.empty()) {
        // Uses stay within one group, mostly, so there are several components.
        const std::size_t group = below(rng, groups);
        uses.clear();
        const std::size_t n = below(rng, 10) == 0 ? 0 : 1 + below(rng, 4);
        for (std::size_t k = 0; k < n; ++k) {
          const std::size_t g = below(rng, 20) == 0 ? below(rng, groups) : group;
          const auto c =
              static_cast<MaxMinSolver::ConstraintId>(g * per_group + below(rng, per_group));
          uses.push_back({c, (rng.next() & 1) ? 1.0 : static_cast<double>(1 + below(rng, 4))});
        }
        const double weight = (rng.next() & 1) ? 1.0 : 0.25 + rng.uniform() * 4;
        const double bound =
            (n == 0 || below(rng, 4) == 0) ? 0.5 + rng.uniform() * 30 : MaxMinSolver::kInfinity;
        const VarId a = inc.add_variable(weight, bound, uses);
        const VarId b = full.add_variable(weight, bound, uses);
        REQUIRE(a == b);
        if (vars.size() <= a) vars.resize(a + 1);
        vars[a] = ModelVar{true, weight, bound, uses};
        alive.push_back(a);
      } else if (op < 0.9) {
        const std::size_t i = below(rng, alive.size());
        const VarId v = alive[i];
        alive[i] = alive.back();
        alive.pop_back();
        inc.remove_variable(v);
        full.remove_variable(v);
        vars[v].alive = false;
      } else {
        const auto c = static_cast<MaxMinSolver::ConstraintId>(below(rng, inc.constraint_count()));
        const double cap = 1 + rng.uniform() * 100;
        inc.set_capacity(c, cap);
        full.set_capacity(c, cap);
      }
      if (below(rng, 3) != 0) continue;  // several operations per solve, sometimes

      std::vector<double> before(vars.size());
      for (VarId v = 0; v < vars.size(); ++v) before[v] = vars[v].alive ? inc.rate(v) : -2;
      inc.solve();
      full.solve_full();
      // changed() reports exactly the live variables whose rate moved.
      std::vector<char> reported(vars.size(), 0);
      for (VarId v : inc.changed()) {
        REQUIRE(vars[v].alive);
        REQUIRE(reported[v] == 0);
        reported[v] = 1;
      }
      for (VarId v = 0; v < vars.size(); ++v) {
        if (!vars[v].alive) continue;
        CAPTURE(step, v);
        REQUIRE((reported[v] != 0) == (inc.rate(v) != before[v]));
        REQUIRE(close(inc.rate(v), full.rate(v), 1e-9));
      }
      REQUIRE(inc.max_relative_overload() <= 1e-9);
      check_certificate(inc, vars);
      check_certificate(full, vars);
    }
  }
}

TEST_CASE("engine property: an aggregated class equals its separate members", "[sim][property]") {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    CAPTURE(seed);
    Rng rng(seed * 7919);
    MaxMinSolver agg;
    MaxMinSolver sep;
    const std::size_t nc = 2 + below(rng, 10);
    for (std::size_t c = 0; c < nc; ++c) {
      const double cap = 1 + rng.uniform() * 50;
      agg.add_constraint(cap);
      sep.add_constraint(cap);
    }
    struct Class {
      VarId agg_id;
      std::vector<VarId> members;
    };
    std::vector<Class> classes;
    std::vector<Use> uses;
    std::vector<Use> scaled;
    for (int i = 0; i < 30; ++i) {
      uses.clear();
      const std::size_t n = 1 + below(rng, 3);
      for (std::size_t k = 0; k < n; ++k) {
        uses.push_back({static_cast<MaxMinSolver::ConstraintId>(below(rng, nc)), 1.0});
      }
      const auto k = static_cast<double>(1 + below(rng, 6));
      const double weight = 0.5 + rng.uniform();
      const double bound = below(rng, 3) == 0 ? 1 + rng.uniform() * 10 : MaxMinSolver::kInfinity;
      scaled = uses;
      for (Use& u : scaled) u.coefficient = k;
      Class cls{agg.add_variable(weight, bound, scaled), {}};
      for (int m = 0; m < static_cast<int>(k); ++m) {
        cls.members.push_back(sep.add_variable(weight, bound, uses));
      }
      classes.push_back(cls);
    }
    agg.solve();
    sep.solve();
    for (const Class& cls : classes) {
      for (VarId m : cls.members) REQUIRE(close(agg.rate(cls.agg_id), sep.rate(m), 1e-9));
    }
  }
}

}  // namespace
}  // namespace cirrus::sim
