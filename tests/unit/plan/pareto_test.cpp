#include <catch2/catch.hpp>

#include "common/rng.hpp"
#include "plan/pareto.hpp"

using cirrus::plan::pareto_frontier;
using cirrus::plan::Point;

TEST_CASE("pareto: hand-made frontier", "[plan]") {
  // (time, cost): a (1, 10) and c (3, 2) and d (4, 1) are non-dominated; b (2, 12) is beaten by
  // a on both; e (5, 1) ties d's cost but is slower.
  const std::vector<Point> pts = {{1, 10, 0}, {2, 12, 1}, {3, 2, 2}, {4, 1, 3}, {5, 1, 4}};
  CHECK(pareto_frontier(pts) == std::vector<std::size_t>{0, 2, 3});
}

TEST_CASE("pareto: no frontier point is dominated and every other point is", "[plan][property]") {
  cirrus::Rng rng(42);
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<Point> pts;
    for (std::size_t i = 0; i < 200; ++i) {
      pts.push_back({std::floor(rng.uniform() * 50), std::floor(rng.uniform() * 50), i});
    }
    const auto front = pareto_frontier(pts);
    auto dominated = [&](const Point& p) {
      for (const auto& q : pts) {
        if (q.time <= p.time && q.cost <= p.cost && (q.time < p.time || q.cost < p.cost)) {
          return true;
        }
      }
      return false;
    };
    std::vector<bool> on(pts.size(), false);
    for (std::size_t i : front) {
      on[i] = true;
      CHECK_FALSE(dominated(pts[i]));
    }
    for (const auto& p : pts) {
      // Off the frontier: dominated, or an exact duplicate of a frontier point.
      if (on[p.index]) continue;
      bool duplicate = false;
      for (std::size_t i : front) duplicate |= pts[i].time == p.time && pts[i].cost == p.cost;
      CHECK((dominated(p) || duplicate));
    }
  }
}
