#include "models/systems/elastic_spot.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "common/rng.hpp"

namespace cirrus::models {
namespace {

// The largest node count <= held on which the strategy re-lowers; 0 when none does.
int usable_nodes(const StepInput& base, int held) {
  StepInput scratch;
  std::string why;
  for (int n = held; n > 0; --n) {
    if (relower(base, n, scratch, why)) return n;
  }
  return 0;
}

struct Event {
  double at_h;
  int delta;  // -1 interruption, +1 replacement
  int node;
  bool operator<(const Event& o) const {
    return std::tie(at_h, delta, node) < std::tie(o.at_h, o.delta, o.node);
  }
};

}  // namespace

std::vector<ElasticChange> spot_schedule(const StepInput& base, const SpotInterruptions& spot,
                                         double horizon_h) {
  const int nodes = base.cluster.nodes;
  std::vector<Event> events;
  if (spot.per_node_hour > 0) {
    for (int i = 0; i < nodes; ++i) {
      // One stream per node: seeds far apart in SplitMix64's sequence (its increment is odd,
      // so distinct seeds give distinct streams).
      Rng rng(spot.seed * 0x100000001B3ULL + static_cast<std::uint64_t>(i));
      double t = 0;
      for (;;) {
        const double unit = -std::log1p(-rng.uniform());  // unit exponential
        t += unit / spot.per_node_hour;
        if (t >= horizon_h) break;
        events.push_back({t, -1, i});
        t += spot.replacement_hours;
        if (t >= horizon_h) break;
        events.push_back({t, +1, i});
      }
    }
  }
  std::sort(events.begin(), events.end());
  std::vector<ElasticChange> out;
  int held = nodes;
  out.push_back({0, usable_nodes(base, held), held, true});
  for (const Event& ev : events) {
    held += ev.delta;
    const int used = usable_nodes(base, held);
    const bool reshard = ev.delta < 0 || used != out.back().nodes;
    if (ev.at_h == out.back().at_hours) {  // simultaneous events: one change
      out.back().held = held;
      out.back().reshard = out.back().reshard || reshard;
      out.back().nodes = used;
      continue;
    }
    out.push_back({ev.at_h, used, held, reshard});
  }
  for (auto& c : out) {
    if (c.held == c.nodes) c.held = 0;
  }
  return out;
}

ElasticRun spot_elastic_run(const StepInput& base, const ElasticSpec& e,
                            const SpotInterruptions& spot, double usd_per_node_hour,
                            const StepFn& step) {
  std::map<int, StepResult> cache;
  const StepFn cached = [&](const StepInput& in) {
    auto it = cache.find(in.cluster.nodes);
    if (it == cache.end()) it = cache.emplace(in.cluster.nodes, step(in)).first;
    return it->second;
  };
  ElasticSpec spec = e;
  // First horizon: the fixed-node run's length, twice over.
  spec.schedule = {{0, usable_nodes(base, base.cluster.nodes), base.cluster.nodes, true}};
  ElasticRun run = elastic_run(base, spec, usd_per_node_hour, cached);
  if (spot.per_node_hour <= 0 || !run.completes) return run;
  double horizon = std::max(1.0, 2 * run.hours);
  for (;;) {
    spec.schedule = spot_schedule(base, spot, horizon);
    run = elastic_run(base, spec, usd_per_node_hour, cached);
    if (!run.phases.empty() && run.phases.back().end_h < horizon && run.completes) return run;
    const bool last_paused = !run.phases.empty() && run.phases.back().paused;
    if (!run.completes && !last_paused) return run;  // a phase that cannot run: not the horizon
    if (horizon >= kSpotMaxHours) {
      run.completes = false;
      run.reason = "the run does not end within 1e6 hours of interruptions";
      return run;
    }
    horizon = std::min(kSpotMaxHours, 2 * horizon);
  }
}

}  // namespace cirrus::models
