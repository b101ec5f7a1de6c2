// `--emit KIND` of `simulate` and `plan` (reports/emit_render.hpp): the option, its clash with
// `--format`, and the output: the file on stdout or -o, or, for a configuration that cannot
// run, nothing there and the reason on stderr (exit 4), so that a script never launches a
// half-written or infeasible task.
#include <fmt/format.h>
#include <cstdio>

#include "cli/commands.hpp"
#include "reports/emit_render.hpp"

namespace cirrus::cli {

void add_emit_option(CLI::App& sub, std::string& emit) {
  const std::vector<std::string> kinds(reports::kEmitKinds.begin(), reports::kEmitKinds.end());
  sub.add_option("--emit", emit,
                 "instead of the table, write the configuration as a SkyPilot task YAML "
                 "(skypilot) or Megatron-LM arguments (megatron)")
      ->check(CLI::IsMember(kinds));
}

void check_emit_format(const std::string& emit, const std::string& format) {
  if (!emit.empty() && format != "table") {
    throw UsageError(
        fmt::format("--emit {} writes its own format; leave out --format {}", emit, format));
  }
}

ExitCode emit_configuration(const std::optional<reports::EmitConfig>& config,
                            const std::string& why, const std::string& kind,
                            const std::string& scenario_file, const std::string& out) {
  if (!config) {
    fmt::print(stderr, "cirrus: {}: nothing to emit: {}\n", scenario_file, why);
    return kExitInfeasible;
  }
  emit(reports::render_emit(*config, kind), out);
  return kExitOk;
}

}  // namespace cirrus::cli
