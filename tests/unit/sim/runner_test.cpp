#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/task_graph.hpp"

namespace cirrus::sim {
namespace {

constexpr std::int64_t kSecond = 1'000'000'000'000;  // ps

Time sec(double s) { return Time::from_seconds(s); }

TEST_CASE("runner: a chain of delays adds up", "[sim][runner]") {
  // a (1 s) -> b (2 s) -> c (3 s): c ends at 6 s.
  TaskGraph g;
  const auto a = g.add_delay(kNoStream, sec(1), 0);
  const auto b = g.add_delay(kNoStream, sec(2), 0);
  const auto c = g.add_delay(kNoStream, sec(3), 0);
  g.add_edge(a, b);
  g.add_edge(b, c);
  const RunResult r = run(g);
  CHECK(r.timings[a].start == Time::zero());
  CHECK(r.timings[a].binding == kNoTask);
  CHECK(r.timings[b].ready == Time::ps(1 * kSecond));
  CHECK(r.timings[b].binding == a);
  CHECK(r.timings[c].start == Time::ps(3 * kSecond));
  CHECK(r.timings[c].end == Time::ps(6 * kSecond));
  CHECK(r.stats.makespan == Time::ps(6 * kSecond));
  CHECK(r.stats.events == 3);
  CHECK(r.stats.solves == 0);
}

TEST_CASE("runner: a diamond waits for its slowest branch", "[sim][runner]") {
  // a (1) -> {b (2), c (5)} -> d (1). b ends at 3, c at 6; d runs [6, 7), bound by c.
  TaskGraph g;
  const auto a = g.add_delay(kNoStream, sec(1), 0);
  const auto b = g.add_delay(kNoStream, sec(2), 0);
  const auto c = g.add_delay(kNoStream, sec(5), 0);
  const auto d = g.add_delay(kNoStream, sec(1), 0);
  g.add_edge(a, b);
  g.add_edge(a, c);
  g.add_edge(b, d);
  g.add_edge(c, d);
  g.add_edge(c, d);  // duplicate edges are harmless
  const RunResult r = run(g);
  CHECK(r.timings[b].end == Time::ps(3 * kSecond));
  CHECK(r.timings[d].ready == Time::ps(6 * kSecond));
  CHECK(r.timings[d].binding == c);
  CHECK(r.stats.makespan == Time::ps(7 * kSecond));
}

TEST_CASE("runner: binding ties go to the lowest task id", "[sim][runner]") {
  // x and y both end at 2 s; z's binding predecessor is the lower id.
  TaskGraph g;
  const auto y = g.add_delay(kNoStream, sec(2), 0);
  const auto x = g.add_delay(kNoStream, sec(2), 0);
  const auto z = g.add_delay(kNoStream, sec(1), 0);
  g.add_edge(x, z);
  g.add_edge(y, z);
  const RunResult r = run(g);
  CHECK(r.timings[z].binding == std::min(x, y));
  CHECK(r.timings[z].end == Time::ps(3 * kSecond));
}

TEST_CASE("runner: a stream runs its tasks in order", "[sim][runner]") {
  // Stream s: p (2 s) then q (3 s): q waits for p though no explicit edge: [2, 5).
  // Stream t runs r (1 s) concurrently from 0.
  TaskGraph g;
  const auto s = g.add_stream();
  const auto t = g.add_stream();
  const auto p = g.add_delay(s, sec(2), 0);
  const auto r = g.add_delay(t, sec(1), 0);
  const auto q = g.add_delay(s, sec(3), 0);
  CHECK(g.edge_count() == 1);
  CHECK(g.stream_count() == 2);
  const RunResult res = run(g);
  CHECK(res.timings[r].end == Time::ps(1 * kSecond));
  CHECK(res.timings[q].start == Time::ps(2 * kSecond));
  CHECK(res.timings[q].binding == p);
  CHECK(res.stats.makespan == Time::ps(5 * kSecond));
}

TEST_CASE("runner: a flow takes latency plus bytes over rate", "[sim][runner]") {
  // 200 B on a 100 B/s link after 0.5 s of latency: 0.5 + 200 / 100 = 2.5 s.
  TaskGraph g;
  const auto link = g.add_resource(100);
  const ResourceUse u[] = {{link, 1.0}};
  const auto f = g.add_flow(kNoStream, sec(0.5), 200, u, 0);
  const RunResult r = run(g);
  CHECK(r.timings[f].start == Time::zero());
  CHECK(r.timings[f].end == Time::ps(kSecond * 5 / 2));
  CHECK(r.stats.solves == 2);  // when it joins, and when it leaves (an empty re-solve)
  CHECK(r.stats.resource_bytes[link] == 200.0);
}

TEST_CASE("runner: two flows share a link max-min fairly", "[sim][runner]") {
  // 100 B and 200 B on 100 B/s: 50 B/s each; the first ends at 100 / 50 = 2 s, having let the
  // second move 100 B. The second then has 100 B alone at 100 B/s: ends at 3 s.
  TaskGraph g;
  const auto link = g.add_resource(100);
  const ResourceUse u[] = {{link, 1.0}};
  const auto f1 = g.add_flow(kNoStream, Time::zero(), 100, u, 0);
  const auto f2 = g.add_flow(kNoStream, Time::zero(), 200, u, 0);
  const RunResult r = run(g);
  CHECK(r.timings[f1].end == Time::ps(2 * kSecond));
  CHECK(r.timings[f2].end == Time::ps(3 * kSecond));
  CHECK(r.stats.solves == 3);        // t = 0, 2 s, 3 s
  CHECK(r.stats.rate_changes == 3);  // both at t = 0, then f2 at 2 s
  CHECK(r.stats.resource_bytes[link] == 300.0);
}

TEST_CASE("runner: bounds, weights and coefficients reach the solver", "[sim][runner]") {
  // Link 100 B/s. A flow capped at 25 B/s with 100 B takes 4 s.
  // A class of 2 flows (coefficient 2), 100 B each, alone on its own 100 B/s link: 2 x rate = 100,
  // rate 50 -> 2 s, and the link carries 200 B.
  // Weights 1 and 3 on a third link of 100 B/s with 25 B and 75 B: rates 25 and 75, both end
  // at 1 s.
  TaskGraph g;
  const auto l1 = g.add_resource(100);
  const auto l2 = g.add_resource(100);
  const auto l3 = g.add_resource(100);
  const ResourceUse u1[] = {{l1, 1.0}};
  const ResourceUse u2[] = {{l2, 2.0}};
  const ResourceUse u3[] = {{l3, 1.0}};
  const auto capped = g.add_flow(kNoStream, Time::zero(), 100, u1, 0, 0, 1.0, 25.0);
  const auto cls = g.add_flow(kNoStream, Time::zero(), 100, u2, 0);
  const auto light = g.add_flow(kNoStream, Time::zero(), 25, u3, 0, 0, 1.0);
  const auto heavy = g.add_flow(kNoStream, Time::zero(), 75, u3, 0, 0, 3.0);
  const RunResult r = run(g);
  CHECK(r.timings[capped].end == Time::ps(4 * kSecond));
  CHECK(r.timings[cls].end == Time::ps(2 * kSecond));
  CHECK(r.stats.resource_bytes[l2] == 200.0);
  CHECK(r.timings[light].end == Time::ps(1 * kSecond));
  CHECK(r.timings[heavy].end == Time::ps(1 * kSecond));
}

TEST_CASE("runner: empty flows and flows without resources end after their latency",
          "[sim][runner]") {
  TaskGraph g;
  const auto link = g.add_resource(100);
  const ResourceUse u[] = {{link, 1.0}};
  const auto s = g.add_stream();
  const auto empty = g.add_flow(s, sec(1), 0, u, 0);
  const auto unconstrained = g.add_flow(s, sec(2), 1e9, {}, 0);
  const auto capped = g.add_flow(s, Time::zero(), 10, {}, 0, 0, 1.0, 10.0);
  const RunResult r = run(g);
  CHECK(r.timings[empty].end == Time::ps(1 * kSecond));
  CHECK(r.timings[unconstrained].end == Time::ps(3 * kSecond));
  CHECK(r.timings[capped].end == Time::ps(4 * kSecond));
}

TEST_CASE("runner: a flow joining mid-transfer slows the first one down", "[sim][runner]") {
  // Link 100 B/s. f1: 300 B from t = 0. f2: 100 B after 1 s of latency.
  // [0, 1): f1 alone at 100 -> 200 B left. From 1 s both at 50: f2 ends at 1 + 100/50 = 3 s,
  // f1 has 200 - 100 = 100 B left, alone again at 100 B/s: ends at 4 s.
  TaskGraph g;
  const auto link = g.add_resource(100);
  const ResourceUse u[] = {{link, 1.0}};
  const auto f1 = g.add_flow(kNoStream, Time::zero(), 300, u, 0);
  const auto f2 = g.add_flow(kNoStream, sec(1), 100, u, 0);
  const RunResult r = run(g);
  CHECK(r.timings[f2].end == Time::ps(3 * kSecond));
  CHECK(r.timings[f1].end == Time::ps(4 * kSecond));
  CHECK(r.stats.resource_bytes[link] == 400.0);
}

TEST_CASE("runner: an empty graph finishes at zero", "[sim][runner]") {
  TaskGraph g;
  const RunResult r = run(g);
  CHECK(r.timings.empty());
  CHECK(r.stats.makespan == Time::zero());
}

TEST_CASE("runner: a cycle is detected", "[sim][runner]") {
  TaskGraph g;
  const auto a = g.add_delay(kNoStream, sec(1), 0);
  const auto b = g.add_delay(kNoStream, sec(1), 0);
  const auto c = g.add_delay(kNoStream, sec(1), 0);
  g.add_edge(a, b);
  g.add_edge(b, c);
  g.add_edge(c, b);
  CHECK_THROWS_AS(run(g), std::logic_error);
}

TEST_CASE("runner: a flow on a zero-capacity resource never finishes", "[sim][runner]") {
  TaskGraph g;
  const auto dead = g.add_resource(0);
  const ResourceUse u[] = {{dead, 1.0}};
  g.add_flow(kNoStream, Time::zero(), 1, u, 0);
  CHECK_THROWS_AS(run(g), std::logic_error);
}

TEST_CASE("task graph: bad input is rejected", "[sim][runner]") {
  TaskGraph g;
  const auto link = g.add_resource(1);
  const ResourceUse bad[] = {{link + 1, 1.0}};
  CHECK_THROWS_AS(g.add_resource(-1), std::invalid_argument);
  CHECK_THROWS_AS(g.add_delay(3, sec(1), 0), std::invalid_argument);
  CHECK_THROWS_AS(g.add_delay(kNoStream, Time::ps(-1), 0), std::invalid_argument);
  CHECK_THROWS_AS(g.add_flow(kNoStream, Time::zero(), 1, bad, 0), std::invalid_argument);
  CHECK_THROWS_AS(g.add_flow(kNoStream, Time::zero(), -1, {}, 0), std::invalid_argument);
  CHECK_THROWS_AS(g.add_edge(0, 1), std::invalid_argument);
  CHECK(g.task_count() == 0);
  CHECK(g.uses().empty());
}

TEST_CASE("task graph: a task past the limit throws GraphTooLarge", "[sim][runner]") {
  TaskGraph g;
  g.set_task_limit(3);
  const StreamId s = g.add_stream();
  for (int i = 0; i < 3; ++i) g.add_delay(s, sec(1), 0);
  CHECK(g.task_count() == 3);
  try {
    g.add_delay(s, sec(1), 0);
    FAIL("no GraphTooLarge");
  } catch (const GraphTooLarge& e) {
    CHECK(e.limit() == 3);
    CHECK(std::string(e.what()) == "task graph past its limit of 3 tasks");
  }
  CHECK(g.task_count() == 3);  // nothing half-added
  CHECK(TaskGraph{}.task_limit() == kDefaultTaskLimit);
}

}  // namespace
}  // namespace cirrus::sim
