// `cirrus collective`: one collective on a node type or a scenario's cluster, network included,
// over a list of sizes (app/collective_run.hpp), printed like nccl-tests
// (reports/collective_render.hpp).
#include "app/collective_run.hpp"
#include "cli/commands.hpp"
#include "reports/collective_render.hpp"

namespace cirrus::cli {

Action add_collective(CLI::App& app) {
  struct Options {
    app::CollectiveRequest request;
    std::string format = "table";
    std::string out;
  };
  auto opt = std::make_shared<Options>();
  app::CollectiveRequest& r = opt->request;
  auto* sub = app.add_subcommand(
      "collective",
      "simulate one collective like nccl-tests on a node type or a scenario's cluster");
  auto* node = sub->add_option("--node", r.node, "node preset (e.g. dgx-h100, aws-p5)");
  auto* nodes = sub->add_option("--nodes", r.nodes, "whole nodes (default 1)")
                    ->check(count_in("--nodes", 1, 65536));
  auto* scenario = sub->add_option("--scenario", r.scenario, "take the cluster of this scenario");
  node->excludes(scenario);
  nodes->excludes(scenario);
  sub->add_option("--op", r.op,
                  "all_reduce, all_gather, reduce_scatter, all_to_all, broadcast, send_recv")
      ->required();
  sub->add_option("--sizes", r.sizes,
                  "sizes in bytes, powers of 1024: 1K,64M,1G or a doubling range 1K..8G "
                  "(default 1K..8G)");
  sub->add_option("--algorithm", r.algorithm,
                  "auto (NCCL's tuner), ring, tree, nvls, hierarchical or direct (default: the "
                  "scenario's cluster.network.algorithm for all-reduce, else auto)");
  sub->add_option("--topology", r.topology, "fat-tree, rail-optimized or single-switch");
  sub->add_option("--oversubscription", r.oversubscription,
                  "ratio above the leaf, >= 1 (default: the scenario's, else 1)")
      ->check(number_in("--oversubscription", 1, 1000));
  sub->add_option("--gpus-per-node", r.gpus_per_node,
                  "ranks per node: the first K GPUs of each node (default all)")
      ->check(count_in("--gpus-per-node", 1, 1024));
  sub->add_option("--switch-radix", r.switch_radix,
                  "ports per fabric switch (default: the scenario's, else 64)")
      ->check(count_in("--switch-radix", 2, 65536));
  sub->add_option("--routing", r.routing,
                  "dmodk (destination-based, as InfiniBand) or ecmp (hashed, as Ethernet); the "
                  "scenario spellings destination-mod-k and ecmp-hash too (default: the "
                  "scenario's, else dmodk)");
  sub->add_option("--model", r.model, "flow (links, max-min) or analytic (tuner formula)");
  sub->add_option("--profile", r.profile,
                  "calibration profile: its measured busbw replaces the tuner's where it has the "
                  "collective at that rank and node count and size");
  sub->add_option("--links", r.links, "also list the K busiest links of each size")
      ->check(count_in("--links", 0, 1000000));
  sub->add_option("--format", opt->format, "table, json or csv")
      ->check(CLI::IsMember({"table", "json", "csv"}));
  sub->add_option("-o,--out", opt->out, "write to this file (atomically) instead of stdout");
  return [opt]() {
    emit(reports::render_collective(app::run_collective(opt->request), opt->format), opt->out);
    return kExitOk;
  };
}

}  // namespace cirrus::cli
