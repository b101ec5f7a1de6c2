#include "plan/refine.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>
#include <utility>

#include "common/parallel_for.hpp"
#include "models/network/topology.hpp"
#include "models/step/simulate.hpp"

namespace cirrus::plan {
namespace {

using ClusterKey = std::pair<std::size_t, int>;  // (instance, nodes)

// The distinct clusters of the candidates, sorted.
std::vector<ClusterKey> clusters_of(const std::vector<std::size_t>& which,
                                    const std::vector<Candidate>& candidates) {
  std::vector<ClusterKey> clusters;
  clusters.reserve(which.size());
  for (std::size_t i : which) clusters.emplace_back(candidates[i].instance, candidates[i].nodes);
  std::sort(clusters.begin(), clusters.end());
  clusters.erase(std::unique(clusters.begin(), clusters.end()), clusters.end());
  return clusters;
}

// The flow model needs each candidate's cluster network. Candidates on the same instance and
// node count share one topology, built once (in parallel) before the candidates run: a
// 16k-GPU fabric is a few hundred thousand links.
std::vector<std::optional<models::NetworkTopology>> build_topologies(
    const scenarios::Scenario& s, const SearchSpace& space, const std::vector<ClusterKey>& clusters,
    int threads) {
  std::vector<std::optional<models::NetworkTopology>> topologies(clusters.size());
  parallel_for(clusters.size(), threads, [&](std::size_t j) {
    Candidate probe;
    probe.instance = clusters[j].first;
    probe.nodes = clusters[j].second;
    const models::StepInput in = candidate_input(s, space, probe);
    topologies[j].emplace(in.cluster, models::topology_options(in.cluster.network));
  });
  return topologies;
}

}  // namespace

std::vector<std::size_t> refine_choice(const std::vector<std::size_t>& order,
                                       const std::vector<Candidate>& candidates, int count) {
  std::vector<std::size_t> chosen;
  for (std::size_t i : order) {
    if (static_cast<int>(chosen.size()) >= count) break;
    if (candidates[i].meets_limits) chosen.push_back(i);
  }
  if (chosen.empty()) {
    for (std::size_t i : order) {
      if (static_cast<int>(chosen.size()) >= count) break;
      chosen.push_back(i);
    }
  }
  return chosen;
}

void refine_candidates(const scenarios::Scenario& s, const SearchSpace& space,
                       const std::vector<std::size_t>& which, const EconomicsFn& economics,
                       int threads, const ProgressFn& progress, PlanResult& out) {
  const std::vector<ClusterKey> clusters = clusters_of(which, out.candidates);
  const auto topologies = build_topologies(s, space, clusters, threads);
  std::vector<models::StepResult> results(which.size());
  std::atomic<std::size_t> done{0};
  std::mutex progress_mutex;
  parallel_for(which.size(), threads, [&](std::size_t j) {
    Candidate& c = out.candidates[which[j]];
    const auto at =
        std::lower_bound(clusters.begin(), clusters.end(), ClusterKey(c.instance, c.nodes));
    models::SimulateOptions so;
    so.topology = &*topologies[static_cast<std::size_t>(at - clusters.begin())];
    results[j] = models::simulate_step(candidate_input(s, space, c), so);
    const models::StepResult& r = results[j];
    c.step_seconds = r.step_time_s;
    c.economics = economics(space.instances[c.instance], c.nodes, r.step_time_s, out.steps);
    c.refined = true;
    const std::size_t d = done.fetch_add(1) + 1;
    if (progress) {
      const std::lock_guard<std::mutex> lock(progress_mutex);
      progress("refining", static_cast<double>(d) / static_cast<double>(which.size()));
    }
  });
  for (std::size_t j = 0; j < which.size(); ++j) {
    out.refined_results[which[j]] = std::move(results[j]);
  }
  out.refined = which.size();
}

}  // namespace cirrus::plan
