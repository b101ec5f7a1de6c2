#include "app/validation_stats.hpp"

#include <algorithm>
#include <cmath>

namespace cirrus::app {

ErrorStats error_stats(const std::vector<double>& errors) {
  ErrorStats s;
  s.n = static_cast<int>(errors.size());
  if (errors.empty()) return s;
  double abs_sum = 0, sum = 0;
  for (const double e : errors) {
    abs_sum += std::fabs(e);
    sum += e;
  }
  s.mape = abs_sum / s.n;
  s.mean = sum / s.n;
  std::vector<double> sorted = errors;
  std::sort(sorted.begin(), sorted.end());
  const std::size_t mid = sorted.size() / 2;
  s.median = sorted.size() % 2 == 1 ? sorted[mid] : 0.5 * (sorted[mid - 1] + sorted[mid]);
  if (s.n >= 2) {
    double sq = 0;
    for (const double e : errors) sq += (e - s.mean) * (e - s.mean);
    s.sigma = std::sqrt(sq / (s.n - 1));
  }
  return s;
}

}  // namespace cirrus::app
