#include "app/serving_report_run.hpp"

#include <fmt/format.h>

#include "app/serving_fleet.hpp"
#include "common/input_error.hpp"
#include "common/parallel_for.hpp"

namespace cirrus::app {
namespace {

// (arrivals - 1) / (last arrival - first), the stream's own mean rate.
double offered_rate(const Job& job) {
  const models::ServingSpec& spec = *job.scenario.serving;
  const ServingRequests r = serving_requests(job.scenario, spec, spec.seed);
  if (r.list.size() < 2) return 0;
  const double span = (r.list.back().arrival - r.list.front().arrival).seconds();
  return span > 0 ? static_cast<double>(r.list.size() - 1) / span : 0.0;
}

void scale_load(models::ArrivalSpec& a, double factor) {
  if (a.kind == models::ArrivalKind::kTrace) {
    a.trace.time_scale /= factor;
  } else {
    a.rate_per_s *= factor;
  }
}

}  // namespace

ServingReportRun run_serving_report(const Job& job, int threads) {
  ServingReportRun out;
  out.base = run_serving(job, {.keep_samples = true});
  if (job.scenario.serving->arrivals.kind == models::ArrivalKind::kOffline) {
    out.load_note = "offline arrivals (every request at time zero) have no rate to scale";
    return out;
  }
  constexpr std::size_t n = std::size(kLoadFactors);
  out.load.resize(n);
  parallel_for(n, threads, [&](std::size_t i) {
    LoadPoint& p = out.load[i];
    p.factor = kLoadFactors[i];
    Job scaled = job;
    scale_load(scaled.scenario.serving->arrivals, p.factor);
    p.offered_per_s = offered_rate(scaled);
    try {
      const ServingResult r = p.factor == 1.0 ? ServingResult{} : run_serving(scaled);
      const models::ServingMetrics& m = p.factor == 1.0 ? out.base.metrics : r.metrics;
      p.ttft = m.ttft;
      p.tpot = m.tpot;
      p.slo_attained = m.slo_attained;
      p.completed_per_s = m.requests_per_s;
    } catch (const InputError& e) {
      p.error = e.what();
    }
  });
  return out;
}

}  // namespace cirrus::app
