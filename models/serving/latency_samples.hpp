#pragma once
// Every completed request's latencies of a fleet run, sorted ascending (the report's CDFs):
// TTFT and E2E of each request, TPOT of those with more than one output token, as defined in
// serving_metrics.hpp.
#include <vector>

#include "models/serving/fleet_sim.hpp"
#include "models/serving/request.hpp"

namespace cirrus::models {

struct LatencySamples {
  std::vector<double> ttft_s, tpot_s, e2e_s;
};

LatencySamples latency_samples(const std::vector<Request>& requests, const FleetOutcome& outcome);

}  // namespace cirrus::models
