#pragma once
// `validate` on measured collective curves (scenarios/collective_validation_set.hpp): cirrus's
// own collective model, the same calls as `cirrus collective --node NODE --nodes N --op OP`
// (flow model on the cluster's default fabric, NCCL's tuner choosing algorithm and protocol),
// at every measured size, beside the measured time and bus bandwidth.
// reports/collective_validation.hpp renders it.
//
// Summary per curve: MAPE of the time over the latency-bound sizes (below 1 MiB) and over the
// bandwidth-bound ones (64 MiB and up), separately; the sizes between are in the overall
// figure only.
#include <string>
#include <vector>

#include "app/validation_stats.hpp"
#include "scenarios/collective_validation_set.hpp"

namespace cirrus::app {

inline constexpr double kLatencyBoundBelowBytes = 1024.0 * 1024.0;          // < 1 MiB
inline constexpr double kBandwidthBoundFromBytes = 64.0 * 1024.0 * 1024.0;  // >= 64 MiB

struct CollectivePointResult {
  double bytes = 0;
  double measured_us = 0;
  double measured_busbw_gbs = 0;
  double predicted_us = 0;
  double predicted_busbw_gbs = 0;
  double error = 0;  // of the time: (predicted - measured) / measured
  std::string algorithm, protocol;
};

struct CollectiveCurveResult {
  std::string id, source, stated, note;
  std::string node;  // preset id ("inline" for an inline node)
  int nodes = 0, ranks = 0, per_node = 0;
  std::string op, dtype;
  std::vector<CollectivePointResult> points;
  ErrorStats latency_bound, bandwidth_bound, all;
  double measured_peak_busbw_gbs = 0, predicted_peak_busbw_gbs = 0;
  double measured_floor_us = 0, predicted_floor_us = 0;  // at the smallest size
};

struct CollectiveValidation {
  std::string file, name, title, source;
  std::vector<std::string> assumptions;
  std::vector<CollectiveCurveResult> curves;
};

CollectiveValidation run_collective_validation(const scenarios::CollectiveValidationSet& set);

}  // namespace cirrus::app
