#pragma once
// `--emit KIND` of `simulate` and `plan`: the configuration as a file that launches it
// (reports/emit_skypilot.hpp, reports/emit_megatron.hpp) instead of the result table.
#include <array>
#include <string>

#include "reports/emit_config.hpp"

namespace cirrus::reports {

// The kinds `--emit` takes, in the order the usage message lists them.
inline constexpr std::array<const char*, 2> kEmitKinds = {"skypilot", "megatron"};

// `kind`: one of kEmitKinds (the command line checks it); anything else is a bug
// (std::invalid_argument).
std::string render_emit(const EmitConfig& config, const std::string& kind);

}  // namespace cirrus::reports
