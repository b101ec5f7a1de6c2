#pragma once
// The statistics `validate` gives a list of signed relative errors ((predicted - published) /
// published): of step times (app/step_validation.hpp), of collective times
// (app/collective_validation.hpp), of peak memory.
#include <vector>

namespace cirrus::app {

struct ErrorStats {
  int n = 0;
  double mape = 0;    // mean of |e|
  double mean = 0;    // mean of e
  double median = 0;  // middle value of e (the mean of the two middle values for even n)
  double sigma = 0;   // sample standard deviation of e about the mean (n - 1); 0 when n < 2
};

ErrorStats error_stats(const std::vector<double>& errors);

}  // namespace cirrus::app
