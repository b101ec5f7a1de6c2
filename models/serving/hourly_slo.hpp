#pragma once
// A long run hour by hour (an autoscaled or interrupted fleet over a daily cycle): the requests
// that arrived in each hour of the arrival clock (hour h: [3600 h, 3600 (h + 1)) s), the share
// of them that met each SLO (TTFT over all of them, TPOT over those with more than one output
// token; empty without that SLO or without such requests), and the fleet's mean paid replicas
// over the part of the hour inside the run (first arrival to last finish).
#include <cstddef>
#include <optional>
#include <vector>

#include "models/serving/dynamic_fleet.hpp"
#include "models/serving/request.hpp"
#include "models/serving/scheduler.hpp"
#include "models/serving/serving_spec.hpp"

namespace cirrus::models {

struct HourRow {
  int hour = 0;
  std::size_t requests = 0;
  std::optional<double> ttft_attained, tpot_attained;
  double mean_replicas = 0;
};

// Every hour from the first arrival's to the last finish's, in order.
std::vector<HourRow> hourly_slo(const std::vector<Request>& requests,
                                const DynamicFleetOutcome& outcome, const Slo& slo);

}  // namespace cirrus::models
