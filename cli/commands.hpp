#pragma once
// One function per subcommand: each registers its options on the CLI11 app and returns the
// action to run when that subcommand is chosen. An action resolves its job (app/job.hpp), calls
// one app/ function, renders the result through reports/ and returns its exit status.
#include <CLI/CLI.hpp>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "app/plan_run.hpp"
#include "app/profiles.hpp"
#include "common/input_error.hpp"
#include "reports/emit_config.hpp"

namespace cirrus::cli {

using Action = std::function<ExitCode()>;

Action add_simulate(CLI::App& app);
Action add_validate(CLI::App& app);
Action add_collective(CLI::App& app);
Action add_plan(CLI::App& app);
Action add_check(CLI::App& app);
Action add_calibrate(CLI::App& app);
Action add_catalog(CLI::App& app);
Action add_price(CLI::App& app);
Action add_report(CLI::App& app);
Action add_serve(CLI::App& app);
Action add_elastic(CLI::App& app);
Action add_presets(CLI::App& app);
Action add_scenario(CLI::App& app);
// Added last: it lists the commands registered before it.
Action add_completion(CLI::App& app);

// Registers `--no-public-profile` on a subcommand.
void add_public_profile_flag(CLI::App& sub, app::ProfileDefaults& defaults);

// Threads for `-j N`: N, or every core for 0.
int threads_of(int jobs);

// app::run_plan with the progress bar (common/progress.hpp) on stderr when stderr is a
// terminal and `show_progress` (plan, report: false with --no-progress).
std::unique_ptr<const app::PlanRun> run_plan_with_progress(const app::Job& job,
                                                           app::PlanRunOptions options,
                                                           bool show_progress);

// `plan` of a scenario with a `serving` block (cli/serving_plan_command.cpp).
ExitCode plan_serving(const app::Job& job, int threads, const std::string& format,
                      const std::string& out);

// --no-progress: no progress bar on standard error, even on a terminal.
void add_no_progress_flag(CLI::App& sub, bool& no_progress);

// Throws UsageError when two output options (option name, path; empty paths skipped) name the
// same file, through symbolic links too.
void check_distinct_outputs(const std::vector<std::pair<std::string, std::string>>& outputs);

// Validators for numeric options: a finite number in [min, max] (`unit` after the range in the
// message, " GB/s"), an integer in [min, max]. Out of range: InputError naming `option` and the
// range (exit 3).
CLI::Validator number_in(const std::string& option, double min, double max,
                         const std::string& unit = "");
CLI::Validator count_in(const std::string& option, long long min, long long max);

// The most threads `-j` takes: more than the work or the cores buys nothing.
constexpr long long kMaxJobs = 4096;

// Writes to stdout, or atomically to `out` when given.
void emit(const std::string& text, const std::string& out);

// `--emit skypilot|megatron` (cli/emit_option.cpp): registers the option (an unknown kind is a
// usage error listing the kinds); refuses it beside --format json or csv (UsageError); writes the
// configuration like `emit`, or, when there is none, only `why` on stderr and returns
// kExitInfeasible.
void add_emit_option(CLI::App& sub, std::string& emit);
void check_emit_format(const std::string& emit, const std::string& format);
ExitCode emit_configuration(const std::optional<reports::EmitConfig>& config,
                            const std::string& why, const std::string& kind,
                            const std::string& scenario_file, const std::string& out);

}  // namespace cirrus::cli
