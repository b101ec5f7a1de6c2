#pragma once
// `--emit megatron`: the Megatron-LM arguments of one configuration (reports/emit_config.hpp),
// for `pretrain_gpt.py`. Argument names are those of Megatron-LM core_v0.15.3
// `megatron/training/arguments.py` (the sources are listed beside each in emit_megatron.cpp).
//
// Output: `#` comment lines first (the header, what is not generated, and every setting of the
// configuration that Megatron-LM has no argument for, with what was emitted instead), then one
// argument per line, each but the last ending in " \". Nothing is refused: a setting without a
// Megatron-LM equivalent is named in a comment and the nearest arguments are emitted, so the
// output always launches; the comment says where the run will differ from the prediction.
#include <string>
#include <vector>

#include "reports/emit_config.hpp"

namespace cirrus::reports {

struct MegatronArg {
  std::string flag;   // "--tensor-model-parallel-size"
  std::string value;  // "8"; empty for a switch ("--bf16")
  std::string env;    // the SkyPilot env variable holding the value ("TP"); empty when none
};

struct MegatronArgs {
  std::vector<MegatronArg> args;
  std::vector<std::string> notes;  // comment lines, without the leading "# "
};

MegatronArgs megatron_args(const EmitConfig& c);

std::string render_megatron(const EmitConfig& c);

}  // namespace cirrus::reports
