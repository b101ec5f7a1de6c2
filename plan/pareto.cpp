#include "plan/pareto.hpp"

#include <algorithm>
#include <limits>

namespace cirrus::plan {

std::vector<std::size_t> pareto_frontier(std::vector<Point> points) {
  std::sort(points.begin(), points.end(), [](const Point& a, const Point& b) {
    if (a.time != b.time) return a.time < b.time;
    if (a.cost != b.cost) return a.cost < b.cost;
    return a.index < b.index;
  });
  std::vector<std::size_t> out;
  double best_cost = std::numeric_limits<double>::infinity();
  for (const auto& p : points) {
    // Sorted by time, a point joins the frontier only if it is strictly cheaper than every
    // faster (or equally fast) point before it; equal (time, cost) duplicates keep the first.
    if (p.cost < best_cost) {
      out.push_back(p.index);
      best_cost = p.cost;
    }
  }
  return out;
}

}  // namespace cirrus::plan
