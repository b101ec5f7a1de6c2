#pragma once
// `cirrus scenario from-megatron`: a scenario file from a Megatron-LM `pretrain_gpt.py` command
// line (scenarios/megatron_args.hpp) and the cluster Megatron-LM leaves to its launcher (the
// instance and the node count). The file is pinned: `cirrus simulate` accepts it as written.
#include <string>
#include <vector>

namespace cirrus::app {

struct MegatronScenarioOptions {
  std::string instance;  // a catalog instance, "provider:name" (required: it sets the hardware)
  int nodes = 1;
};

struct MegatronScenario {
  std::string json;                // the scenario file's text, keys in the contract's order
  std::vector<std::string> notes;  // what was ignored, defaulted or approximated, one line each
};

// Throws InputError naming the flag (file "megatron arguments", or "command line" for
// --instance and --nodes) for arguments cirrus cannot read, a required flag missing, and sizes
// that do not fit the cluster (tp x pp x cp must divide the GPUs; the global batch must be a
// multiple of micro-batch x data parallel) or break a rule of the scenario's (heads % tp, ...).
MegatronScenario megatron_scenario(const std::vector<std::string>& args,
                                   const MegatronScenarioOptions& options);

}  // namespace cirrus::app
