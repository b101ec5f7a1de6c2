#pragma once
// `collective`'s job: one collective, like nccl-tests, on a node type or on a scenario's
// cluster, network included, at each of a list of sizes (models/network/flow_collectives.hpp).
//
// A scenario's network settings (topology, oversubscription, routing, switch radix and, for an
// all-reduce, its pinned algorithm) apply unless the request overrides them. The request's
// fields are the command line's, as typed: a bad one is an InputError at "command line" naming
// its option, refused before anything is simulated, in the order the fields are listed.
#include <cstddef>
#include <string>
#include <vector>

#include "models/hardware/hardware.hpp"
#include "models/network/collectives.hpp"
#include "models/network/flow_collectives.hpp"

namespace cirrus::app {

struct CollectiveRequest {
  std::string node;  // a node preset, `nodes` of them; or
  int nodes = 1;
  std::string scenario;          // a scenario file, whose cluster is taken
  std::string op;                // models::collective_kind_names()
  std::string sizes = "1K..8G";  // app/collective_sizes.hpp
  std::string algorithm;  // empty: the scenario's all-reduce algorithm, else the tuner; "auto"
  std::string topology;   // fat-tree, rail-optimized or single-switch; empty: the cluster's
  double oversubscription = 0;  // 0: the cluster's
  int gpus_per_node = 0;        // ranks per node, the first K GPUs; 0: all
  int switch_radix = 0;         // 0: the cluster's
  std::string routing;  // dmodk / destination-mod-k or ecmp / ecmp-hash; empty: the cluster's
  std::string model = "flow";  // flow or analytic
  std::string profile;         // a calibration profile whose measured busbw replaces the tuner's
  int links = 0;               // the busiest links to list per size; 0: none
};

struct CollectiveResult {
  std::string where;  // "2 x dgx-h100", or "16 x dgx-h100 from FILE"
  models::ClusterSpec cluster;
  models::CollectiveKind kind = models::CollectiveKind::kAllReduce;
  models::NetworkModel model = models::NetworkModel::kFlow;
  std::size_t ranks = 0;
  int per_node = 0;
  int links = 0;                            // as requested
  std::vector<models::CollectiveRun> runs;  // one per size, in order
};

// Throws a UsageError without --node or --scenario.
CollectiveResult run_collective(const CollectiveRequest& request);

}  // namespace cirrus::app
