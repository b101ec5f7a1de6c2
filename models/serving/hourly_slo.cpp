#include "models/serving/hourly_slo.hpp"

#include <algorithm>
#include <cmath>

namespace cirrus::models {

std::vector<HourRow> hourly_slo(const std::vector<Request>& requests,
                                const DynamicFleetOutcome& outcome, const Slo& slo) {
  std::vector<HourRow> rows;
  if (requests.empty()) return rows;
  const double begin = outcome.fleet.first_arrival.seconds();
  const double end = std::max(begin, outcome.fleet.last_finish.seconds());
  const int first = static_cast<int>(std::floor(begin / 3600.0));
  const int last = static_cast<int>(std::floor(end / 3600.0));
  rows.resize(static_cast<std::size_t>(last - first + 1));
  std::vector<std::size_t> ttft_met(rows.size()), tpot_met(rows.size()), tpot_n(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) rows[i].hour = first + static_cast<int>(i);
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const SeqState& s = outcome.fleet.requests[i];
    const auto h =
        static_cast<std::size_t>(std::floor(requests[i].arrival.seconds() / 3600.0) - first);
    ++rows[h].requests;
    if (s.finish == sim::Time::max()) continue;
    if (slo.ttft_s && (s.first_token - requests[i].arrival).seconds() <= *slo.ttft_s) {
      ++ttft_met[h];
    }
    if (s.output > 1) {
      ++tpot_n[h];
      const double tpot = (s.finish - s.first_token).seconds() / (s.output - 1);
      if (slo.tpot_s && tpot <= *slo.tpot_s) ++tpot_met[h];
    }
  }
  for (std::size_t h = 0; h < rows.size(); ++h) {
    HourRow& row = rows[h];
    if (slo.ttft_s && row.requests > 0) {
      row.ttft_attained = static_cast<double>(ttft_met[h]) / static_cast<double>(row.requests);
    }
    if (slo.tpot_s && tpot_n[h] > 0) {
      row.tpot_attained = static_cast<double>(tpot_met[h]) / static_cast<double>(tpot_n[h]);
    }
    const double lo = std::max(begin, 3600.0 * row.hour);
    const double hi = std::min(end, 3600.0 * (row.hour + 1));
    if (hi <= lo) continue;
    double paid = 0;
    for (const ReplicaSpan& span : outcome.spans) {
      paid +=
          std::max(0.0, std::min(hi, span.leave.seconds()) - std::max(lo, span.launch.seconds()));
    }
    row.mean_replicas = paid / (hi - lo);
  }
  return rows;
}

}  // namespace cirrus::models
