#include "models/serving/serving_metrics.hpp"

#include <algorithm>
#include <cmath>

namespace cirrus::models {

double nearest_rank(const std::vector<double>& sorted, double p) {
  const double n = static_cast<double>(sorted.size());
  const auto rank = static_cast<std::size_t>(std::max(1.0, std::ceil(p / 100.0 * n)));
  return sorted[std::min(rank, sorted.size()) - 1];
}

LatencyStats latency_stats(std::vector<double>& values) {
  LatencyStats s;
  s.count = values.size();
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  double sum = 0;
  for (const double v : values) sum += v;
  s.mean = sum / static_cast<double>(values.size());
  s.p50 = nearest_rank(values, 50);
  s.p90 = nearest_rank(values, 90);
  s.p99 = nearest_rank(values, 99);
  s.max = values.back();
  return s;
}

ServingMetrics serving_metrics(const std::vector<Request>& requests, const FleetOutcome& outcome,
                               const Slo& slo, std::int64_t kv_blocks) {
  ServingMetrics m;
  m.requests = requests.size();
  m.kv_blocks = kv_blocks;
  for (const ReplicaStats& r : outcome.replicas) {
    m.kv_peak_blocks = std::max(m.kv_peak_blocks, r.peak_blocks);
    m.preemptions += r.preemptions;
    m.swaps += r.swaps;
    m.swap_ins += r.swap_ins;
    m.swap_s += r.swap_s;
    m.prefix_evictions += r.evictions;
    m.prefix_hit_tokens += static_cast<double>(r.prefix_hit_tokens);
    m.iterations += r.iterations;
  }
  m.prefix_caching = outcome.prefix_caching;
  if (requests.empty()) return m;
  std::vector<double> ttft, tpot, e2e, queueing;
  ttft.reserve(requests.size());
  e2e.reserve(requests.size());
  queueing.reserve(requests.size());
  tpot.reserve(requests.size());
  std::size_t good = 0;
  double e2e_sum = 0;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const SeqState& s = outcome.requests[i];
    if (s.finish == sim::Time::max()) continue;
    ++m.completed;
    const sim::Time arrival = requests[i].arrival;
    const double first = (s.first_token - arrival).seconds();
    const double total = (s.finish - arrival).seconds();
    ttft.push_back(first);
    e2e.push_back(total);
    e2e_sum += total;
    queueing.push_back((s.first_scheduled - arrival).seconds());
    m.input_tokens += s.input;
    m.output_tokens += s.output;
    bool meets = !slo.ttft_s || first <= *slo.ttft_s;
    if (s.output > 1) {
      const double per_token = (s.finish - s.first_token).seconds() / (s.output - 1);
      tpot.push_back(per_token);
      meets = meets && (!slo.tpot_s || per_token <= *slo.tpot_s);
    }
    if (meets) ++good;
  }
  m.makespan_s = (outcome.last_finish - outcome.first_arrival).seconds();
  m.ttft = latency_stats(ttft);
  m.tpot = latency_stats(tpot);
  m.e2e = latency_stats(e2e);
  m.queueing = latency_stats(queueing);
  double busy = 0;
  for (const ReplicaStats& r : outcome.replicas) busy += r.busy_s;
  if (m.makespan_s > 0) {
    m.requests_per_s = static_cast<double>(m.completed) / m.makespan_s;
    m.input_tokens_per_s = m.input_tokens / m.makespan_s;
    m.output_tokens_per_s = m.output_tokens / m.makespan_s;
    m.busy_fraction = busy / (static_cast<double>(outcome.replicas.size()) * m.makespan_s);
    m.little.mean_in_system = outcome.in_system_integral_s / m.makespan_s;
    m.little.arrival_rate = static_cast<double>(m.requests) / m.makespan_s;
  }
  if (slo.ttft_s || slo.tpot_s) {
    m.slo_attained = static_cast<double>(good) / static_cast<double>(m.requests);
    m.goodput_per_s = m.makespan_s > 0 ? static_cast<double>(good) / m.makespan_s : 0.0;
  }
  if (m.input_tokens > 0) m.prefix_hit_rate = m.prefix_hit_tokens / m.input_tokens;
  m.prefill_share = busy > 0 ? outcome.busy_prefill_s / busy : 0.0;
  if (m.completed > 0) m.little.mean_e2e_s = e2e_sum / static_cast<double>(m.completed);
  const double lw = m.little.arrival_rate * m.little.mean_e2e_s;
  m.little.relative_error = lw > 0 ? std::abs(m.little.mean_in_system - lw) / lw : 0.0;
  return m;
}

}  // namespace cirrus::models
