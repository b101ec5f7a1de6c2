#pragma once
// The Pareto frontier of (run time, cost): the candidates no other candidate beats on both.
#include <cstddef>
#include <vector>

namespace cirrus::plan {

struct Point {
  double time = 0;
  double cost = 0;
  std::size_t index = 0;  // the caller's candidate index; ties broken by it for determinism
};

// Indices of the non-dominated points, sorted by time ascending (cost then descending).
// A point is dominated when another is no worse in both and better in one.
std::vector<std::size_t> pareto_frontier(std::vector<Point> points);

}  // namespace cirrus::plan
