// `cirrus scenario from-megatron [-o FILE] --instance ID [--nodes N] -- ARGS...`: a scenario
// file from a Megatron-LM pretrain_gpt.py command line (app/megatron_scenario.hpp). The
// instance is required: Megatron-LM's arguments do not say which hardware runs them.
#include <fmt/format.h>
#include <memory>
#include <string>
#include <vector>

#include "app/megatron_scenario.hpp"
#include "cli/commands.hpp"

namespace cirrus::cli {

Action add_scenario(CLI::App& app) {
  struct Options {
    app::MegatronScenarioOptions cluster;
    std::vector<std::string> args;
    std::string out;
  };
  auto opt = std::make_shared<Options>();
  auto* sub = app.add_subcommand("scenario", "write a scenario file from another tool's inputs");
  sub->require_subcommand(1);
  auto* from = sub->add_subcommand(
      "from-megatron", "a scenario from the arguments of Megatron-LM's pretrain_gpt.py");
  from->add_option("--instance", opt->cluster.instance,
                   "the catalog instance that runs it, provider:name (`cirrus catalog list`)")
      ->required();
  from->add_option("--nodes", opt->cluster.nodes, "nodes of that instance (default 1)")
      ->check(count_in("--nodes", 1, 65536));
  from->add_option("-o,--out", opt->out, "write to this file (atomically) instead of stdout");
  from->add_option("args", opt->args,
                   "after --: the pretrain_gpt.py arguments (a launcher before the script is "
                   "skipped)")
      ->required();
  return [opt]() {
    const app::MegatronScenario s = app::megatron_scenario(opt->args, opt->cluster);
    for (const std::string& note : s.notes) fmt::print(stderr, "cirrus: from-megatron: {}\n", note);
    emit(s.json, opt->out);
    return kExitOk;
  };
}

}  // namespace cirrus::cli
