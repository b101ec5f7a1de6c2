#include "models/serving/latency_samples.hpp"

#include <algorithm>

namespace cirrus::models {

LatencySamples latency_samples(const std::vector<Request>& requests, const FleetOutcome& outcome) {
  LatencySamples out;
  for (std::size_t i = 0; i < requests.size() && i < outcome.requests.size(); ++i) {
    const SeqState& s = outcome.requests[i];
    if (s.finish == sim::Time::max()) continue;
    out.ttft_s.push_back((s.first_token - requests[i].arrival).seconds());
    out.e2e_s.push_back((s.finish - requests[i].arrival).seconds());
    if (s.output > 1) out.tpot_s.push_back((s.finish - s.first_token).seconds() / (s.output - 1));
  }
  std::sort(out.ttft_s.begin(), out.ttft_s.end());
  std::sort(out.tpot_s.begin(), out.tpot_s.end());
  std::sort(out.e2e_s.begin(), out.e2e_s.end());
  return out;
}

}  // namespace cirrus::models
