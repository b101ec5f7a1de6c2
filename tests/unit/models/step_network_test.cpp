// The training step on the cluster's network (flow model, step_builder.hpp): it agrees with the
// analytic model where the fabric cannot matter, slows where data-parallel traffic crosses an
// oversubscribed fabric, reports its busiest links and is deterministic. Plus the hand
// calculation of two data-parallel all-reduces sharing one oversubscribed uplink.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "models/network/flow_collectives.hpp"
#include "models/network/topology.hpp"
#include "models/step/simulate.hpp"
#include "models/workload/validity.hpp"
#include "sim/task_graph.hpp"

using namespace cirrus::models;

namespace {

// Llama-2-7B (32 layers, h 4096) with `dp` data-parallel ranks of `tp` x `pp` each, one
// micro-batch per rank, on `nodes` DGX H100; ZeRO-1 and full recomputation so that tp 1 fits.
StepInput llama7b(int nodes, int tp, int pp, int dp, double oversubscription = 1.0, int radix = 0) {
  StepInput in;
  in.model = *find_model("llama2-7b");
  in.training.global_batch = dp;
  in.training.precision = Precision::kBf16;
  in.strategy.tp = tp;
  in.strategy.pp = pp;
  in.strategy.dp = dp;
  in.strategy.sequence_parallel = tp > 1;
  in.strategy.zero = 1;
  in.strategy.recompute = Recompute::kFull;
  in.cluster.node = *find_node("dgx-h100");
  in.cluster.nodes = nodes;
  in.cluster.network.oversubscription = oversubscription;
  if (radix > 0) in.cluster.network.switch_radix = radix;
  return in;
}

StepResult run(const StepInput& in, NetworkModel model = NetworkModel::kFlow) {
  SimulateOptions o;
  o.network = model;
  StepResult r = simulate_step(in, o);
  INFO(r.infeasible_reason);
  REQUIRE(r.feasible);
  return r;
}

}  // namespace

TEST_CASE("flow step on one node stays close to the analytic step", "[step_network]") {
  // On one node both models run every collective on NVLink at the tuner's rate (the analytic
  // path takes the same TunerOptions); they differ only where transfers overlap: the flow model
  // shares each GPU's NVLink port (raw rate x Simple efficiency 0.80) among its concurrent
  // flows, the analytic model a synthetic port at the raw rate per stage representative. The
  // 7B step is compute-bound, so the two agree closely (measured: identical for tp 8 and dp 8,
  // 0.8% apart for tp 2 x dp 4, where the TP and DP streams overlap on the same ports); 5%
  // leaves room for such overlaps without hiding a model error.
  for (const auto& [tp, dp] : {std::pair{8, 1}, std::pair{2, 4}, std::pair{1, 8}}) {
    const StepInput in = llama7b(1, tp, 1, dp);
    const double flow = run(in).step_time_s;
    const double analytic = run(in, NetworkModel::kAnalytic).step_time_s;
    INFO("tp " << tp << " dp " << dp << ": flow " << flow << " s, analytic " << analytic << " s");
    CHECK(std::abs(flow - analytic) / analytic < 0.05);
  }
}

TEST_CASE("flow step on a non-blocking fat-tree stays close to the analytic step",
          "[step_network]") {
  // 8 nodes, tp 8 inside each node, pp 2, dp 4 across nodes: on a non-blocking fabric each
  // data-parallel ring is bounded by its GPU's own NIC as the analytic model assumes, so the two
  // agree within 5% (the remaining difference is contention between pipeline sends and the
  // gradient reduction on the same NIC, which the flow model shares per link direction).
  const StepInput in = llama7b(8, 8, 2, 4);
  const double flow = run(in).step_time_s;
  const double analytic = run(in, NetworkModel::kAnalytic).step_time_s;
  INFO("flow " << flow << " s, analytic " << analytic << " s");
  CHECK(std::abs(flow - analytic) / analytic < 0.05);
}

TEST_CASE("a data-parallel step slows under oversubscription, a one-node step does not",
          "[step_network]") {
  // 64 data-parallel ranks (tp 1, ZeRO-1) on 8 DGX H100 with a 16-port switch radix: 8 down
  // ports per leaf, so each node has a leaf of its own and every node boundary of the ZeRO
  // rings (8 channels, one per NIC) leaves its leaf. The exposed part is the all-gather of the
  // updated parameters after the optimizer: S = 6.74B x 2 bytes = 13.48 GB; each rank moves
  // S x 63/64 = 13.27 GB over its NVLink port (8 channel flows, 360 GB/s sustained: 36.9 ms);
  // each channel's one crossing per node carries S x 63/64 / 8 = 1.66 GB through its NIC and
  // the leaf's uplinks.
  //   1:1: 8 uplinks at the port rate, 47.5 GB/s per crossing: 34.9 ms, NVLink-bound at 36.9.
  //   2:1: 4 uplinks carry the 8 crossings (destination-mod-k, two per uplink): 69.8 ms, so
  //        the step grows by 69.8 - 36.9 = 32.9 ms.
  //   4:1: 2 uplinks, four crossings each: 139.6 ms, at least 102.7 ms more than 1:1 (the
  //        per-layer gradient reduce-scatters, hidden behind the backward pass at 1:1, start to
  //        show as well).
  const double t1 = run(llama7b(8, 1, 1, 64, 1.0, 16)).step_time_s;
  const double t2 = run(llama7b(8, 1, 1, 64, 2.0, 16)).step_time_s;
  const double t4 = run(llama7b(8, 1, 1, 64, 4.0, 16)).step_time_s;
  INFO("1:1 " << t1 << " s, 2:1 " << t2 << " s, 4:1 " << t4 << " s");
  CHECK(t2 - t1 == Approx(0.0329).epsilon(0.25));
  CHECK(t4 - t1 > 0.9 * 0.1027);

  // One node has no fabric: the ratio changes nothing, to the picosecond.
  const double s1 = run(llama7b(1, 1, 1, 8, 1.0)).step_time_s;
  const double s4 = run(llama7b(1, 1, 1, 8, 4.0)).step_time_s;
  CHECK(s1 == s4);
}

TEST_CASE("two data-parallel all-reduces on one oversubscribed uplink take twice as long",
          "[step_network]") {
  // Two DGX H100 on a 16-port radix fat-tree at 8:1: each node is alone under its leaf (8 down
  // ports) with U = ceil(8 / 8) = 1 uplink of 8 x 50 GB/s / 8 = 50 GB/s. Group A = GPU 0 of
  // each node {0, 8}, group B = GPU 1 of each {1, 9}: the data-parallel groups of two pipeline
  // stages whose ranks sit on the same nodes. A 2-rank ring all-reduce of S = 1 GiB sends
  // S x 2(n-1)/n = S each way through the GPU's NIC (50 GB/s x 0.95 Simple efficiency) and the
  // leaf's one uplink (the same). Alone: latency L + S / 47.5 GB/s = L + 22.6 ms. Together the
  // two rings halve the uplink: L + 45.2 ms.
  ClusterSpec c;
  c.node = *find_node("dgx-h100");
  c.nodes = 2;
  c.network.oversubscription = 8.0;
  TopologyOptions o;
  o.switch_radix = 16;
  const NetworkTopology topo(c, o);
  REQUIRE(topo.leaf_uplinks() == 1);
  const double bytes = 1024.0 * 1024 * 1024;
  const LoweredCollective a = lower_collective(topo, CollectiveKind::kAllReduce, bytes, {0, 8});
  const LoweredCollective b = lower_collective(topo, CollectiveKind::kAllReduce, bytes, {1, 9});
  REQUIRE(a.algorithm == Algorithm::kRing);
  const double latency = a.classes.front().latency_s;
  auto makespan = [&](bool both) {
    cirrus::sim::TaskGraph g;
    LinkResources links(topo);
    add_collective(g, links, a, cirrus::sim::kNoTask, 0);
    if (both) add_collective(g, links, b, cirrus::sim::kNoTask, 0);
    return cirrus::sim::run(g).stats.makespan.seconds();
  };
  const double one = makespan(false);
  const double two = makespan(true);
  const double transfer = bytes / (50e9 * 0.95);
  CHECK(one - latency == Approx(transfer).epsilon(0.01));
  CHECK(two - latency == Approx(2 * transfer).epsilon(0.01));

  // lower_collectives runs both groups as one collective: the same time as the two added apart.
  const LoweredCollective ab =
      lower_collectives(topo, CollectiveKind::kAllReduce, bytes, {{0, 8}, {1, 9}});
  cirrus::sim::TaskGraph g;
  LinkResources links(topo);
  add_collective(g, links, ab, cirrus::sim::kNoTask, 0);
  CHECK(cirrus::sim::run(g).stats.makespan.seconds() == Approx(two).epsilon(1e-6));
}

TEST_CASE("pipeline sends of a whole stage share the NICs", "[step_network]") {
  // Stage 0 = node 0, stage 1 = node 1 (tp 8): 8 sends, GPU g -> GPU 8 + g, each on its own
  // NIC (8 x 50 GB/s): one class of 8 identical flows after aggregation, at the NIC's rate.
  ClusterSpec c;
  c.node = *find_node("dgx-h100");
  c.nodes = 2;
  const NetworkTopology topo(c);
  std::vector<std::pair<int, int>> pairs;
  pairs.reserve(8);
  for (int g = 0; g < 8; ++g) pairs.emplace_back(g, 8 + g);
  const double bytes = 64.0 * 1024 * 1024;
  const LoweredCollective s = lower_sends(topo, pairs, bytes);
  CHECK(s.flows == 8);
  CHECK(s.classes.size() == 1);
  CHECK(s.classes.front().members == 8);
  CHECK(s.phases == 1);
}

TEST_CASE("the flow step reports its busiest links and sums its breakdown", "[step_network]") {
  const StepInput in = llama7b(8, 8, 2, 4);
  const StepResult r = run(in);
  REQUIRE(!r.links.empty());
  CHECK(r.links.size() <= 5);
  for (std::size_t i = 0; i < r.links.size(); ++i) {
    INFO(r.links[i].link << " " << r.links[i].utilization);
    CHECK(r.links[i].utilization > 0);
    CHECK(r.links[i].utilization <= 1.0);
    if (i > 0) CHECK(r.links[i].utilization <= r.links[i - 1].utilization);
    CHECK(r.links[i].link.find("stage") == std::string::npos);  // real links, not synthetic
  }
  CHECK(r.breakdown.total() == Approx(r.step_time_s).epsilon(0.01));
  CHECK(r.breakdown.dp_comm + r.breakdown.pp_comm + r.breakdown.tp_comm > 0);
}

TEST_CASE("the flow step is deterministic", "[step_network]") {
  const StepInput in = llama7b(8, 8, 2, 4, 2.0);
  const StepResult a = run(in);
  const StepResult b = run(in);
  CHECK(a.step_time_s == b.step_time_s);
  CHECK(a.breakdown.dp_comm == b.breakdown.dp_comm);
  CHECK(a.breakdown.pp_bubble == b.breakdown.pp_bubble);
  CHECK(a.events == b.events);
  REQUIRE(a.links.size() == b.links.size());
  for (std::size_t i = 0; i < a.links.size(); ++i) {
    CHECK(a.links[i].link == b.links[i].link);
    CHECK(a.links[i].utilization == b.links[i].utilization);
  }
  // A topology built once and shared (as the planner does) gives the same step.
  const NetworkTopology topo(in.cluster, topology_options(in.cluster.network));
  SimulateOptions o;
  o.topology = &topo;
  CHECK(simulate_step(in, o).step_time_s == a.step_time_s);
}

TEST_CASE("a pinned all-reduce algorithm is honoured or refused by name", "[step_network]") {
  // Tree and ring both run a multi-node data-parallel all-reduce (no ZeRO: gradients are
  // all-reduced); the step times differ.
  StepInput in = llama7b(8, 8, 1, 8);
  in.strategy.zero = 0;
  in.cluster.network.algorithm = Algorithm::kRing;
  const double ring = run(in).step_time_s;
  in.cluster.network.algorithm = Algorithm::kTree;
  const double tree = run(in).step_time_s;
  CHECK(ring != tree);
  // NVLS reduces inside one NVSwitch: across nodes it is refused, naming the field.
  in.cluster.network.algorithm = Algorithm::kNvls;
  const auto v = check_configuration(in.model, in.training, in.strategy, in.cluster);
  REQUIRE(v.has_value());
  CHECK(v->path == "cluster.network.algorithm");
  // Inside one node it runs (tp 8 all-reduces, no data parallelism).
  StepInput one = llama7b(1, 8, 1, 1);
  one.strategy.sequence_parallel = false;
  one.cluster.network.algorithm = Algorithm::kNvls;
  CHECK_FALSE(check_configuration(one.model, one.training, one.strategy, one.cluster));
  CHECK(run(one).step_time_s > 0);
}

TEST_CASE("the flow step's link merge equals the scanning merge", "[step_network]") {
  // build_step merges links from its lowerings' signatures; the generic scan over every use
  // (TaskGraph::merge_identical_resources) on the same graph must find nothing more to merge
  // and the representatives must be the ones the scan would pick on the unmerged graph.
  const StepInput in = llama7b(8, 8, 2, 4, 2.0);
  const ComputeModel compute(in.cluster.node.gpu, in.training.precision);
  const NetworkTopology topo(in.cluster, topology_options(in.cluster.network));
  FlowNetwork net(topo);
  StepGraph g = build_step(in, compute, &net);
  const auto& rep = g.resource_representative;
  REQUIRE(rep.size() == g.graph.resource_capacities().size());
  std::size_t merged = 0;
  for (std::size_t r = 0; r < rep.size(); ++r) merged += rep[r] != r ? 1 : 0;
  CHECK(merged > 0);
  const auto again = g.graph.merge_identical_resources();
  for (std::size_t r = 0; r < again.size(); ++r) {
    // Resources already merged carry no uses; the kept ones have no identical twin left.
    if (rep[r] == r) CHECK(again[r] == r);
  }
}

TEST_CASE("a step too large for the engine is refused from its shape, at once",
          "[step_network][limits]") {
  // 2^20 sequences over dp 8 at micro-batch 1: 131,072 micro-batches x 32 layers x 2 passes =
  // 8,388,608 tasks at least, above the engine's 8,000,000: refused before any graph exists.
  StepInput in = llama7b(1, 1, 1, 8);
  in.training.global_batch = 1 << 20;
  CHECK(step_task_floor(in) == 131072.0 * 32 * 2);
  const StepResult r = simulate_step(in);
  CHECK_FALSE(r.feasible);
  CHECK(r.infeasibility == Infeasibility::kTooLargeToSimulate);
  CHECK(r.infeasible_reason ==
        "too large to simulate: at least 8388608 tasks (131072 micro-batches x 32 layers x 2 "
        "passes), limit 8000000");
  CHECK(std::string(summary(r.infeasibility)) == "too large to simulate");
  // 2^16 sequences: 8,192 micro-batches, a floor of 524,288 tasks, well under the limit.
  in.training.global_batch = 1 << 16;
  CHECK(step_task_floor(in) == 8192.0 * 32 * 2);
}
