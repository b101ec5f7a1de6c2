// Network model benchmarks: building the topology of 16,384 GPUs (2,048 DGX H100 on a
// three-tier fat-tree), one all-reduce over all of them with the flow model (target: under one
// second), and a 1,024-GPU all-to-all (1M flows before aggregation). Peak resident memory is
// reported as max_rss_mib (the process's high-water mark so far, so later benchmarks include
// earlier ones).
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <vector>

#include "models/hardware/hardware.hpp"
#include "models/network/flow_collectives.hpp"
#include "models/network/topology.hpp"

namespace cirrus::models {
namespace {

double max_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // Linux reports KiB
}

ClusterSpec h100s(int nodes) {
  ClusterSpec c;
  c.node = *find_node("dgx-h100");
  c.nodes = nodes;
  return c;
}

void BM_TopologyBuild16k(benchmark::State& state) {
  const ClusterSpec c = h100s(2048);
  std::size_t links = 0;
  for (auto _ : state) {
    const NetworkTopology t(c);
    links = t.link_count();
    benchmark::DoNotOptimize(links);
  }
  state.counters["links"] = static_cast<double>(links);
  state.counters["max_rss_mib"] = max_rss_mib();
}
BENCHMARK(BM_TopologyBuild16k)->Unit(benchmark::kMillisecond);

// One 1 GiB all-reduce over 16,384 GPUs: lowering, aggregation and the flow simulation. Arg 0:
// NCCL's tuner (the double binary tree at this size and scale), 1: forced ring.
void BM_AllReduce16k(benchmark::State& state) {
  const NetworkTopology t(h100s(2048));
  const std::vector<int> ranks = all_ranks(t);
  CollectiveOptions o;
  o.top_links = 10;
  if (state.range(0) == 1) o.algorithm = Algorithm::kRing;
  CollectiveRun r;
  for (auto _ : state) {
    r = simulate_collective(t, CollectiveKind::kAllReduce, 1024.0 * 1024 * 1024, ranks, o);
    benchmark::DoNotOptimize(r.seconds);
  }
  state.SetLabel(to_string(r.algorithm));
  state.counters["flows"] = static_cast<double>(r.flows);
  state.counters["classes"] = static_cast<double>(r.classes);
  state.counters["busbw_gbs"] = r.busbw / 1e9;
  state.counters["max_rss_mib"] = max_rss_mib();
}
BENCHMARK(BM_AllReduce16k)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// A 1 GiB all-to-all over 128 DGX H100 (1,024 GPUs, 1,047,552 flows before aggregation).
void BM_AllToAll1024(benchmark::State& state) {
  const NetworkTopology t(h100s(128));
  const std::vector<int> ranks = all_ranks(t);
  CollectiveOptions o;
  CollectiveRun r;
  for (auto _ : state) {
    r = simulate_collective(t, CollectiveKind::kAllToAll, 1024.0 * 1024 * 1024, ranks, o);
    benchmark::DoNotOptimize(r.seconds);
  }
  state.counters["flows"] = static_cast<double>(r.flows);
  state.counters["classes"] = static_cast<double>(r.classes);
  state.counters["busbw_gbs"] = r.busbw / 1e9;
  state.counters["max_rss_mib"] = max_rss_mib();
}
BENCHMARK(BM_AllToAll1024)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace cirrus::models
