#pragma once
// One function per subcommand: each registers its options on the app and returns the action
// to run when that subcommand is chosen. Actions return the process exit status.
#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace cirrus::cli {

using Action = std::function<int()>;

Action add_simulate(CLI::App& app);
Action add_validate(CLI::App& app);
Action add_collective(CLI::App& app);
Action add_plan(CLI::App& app);
Action add_check(CLI::App& app);
Action add_calibrate(CLI::App& app);
Action add_catalog(CLI::App& app);
Action add_price(CLI::App& app);
Action add_serve(CLI::App& app);
Action add_elastic(CLI::App& app);

// Where shipped data lives: $CIRRUS_DATA_DIR, else the source tree's data/ folder.
std::string data_path(const std::string& relative);

// Where shipped sources live (pricing/catalogs, ...): $CIRRUS_SOURCE_ROOT, else the source tree.
std::string source_path(const std::string& relative);

// Writes to stdout, or atomically to `out` when given.
void emit(const std::string& text, const std::string& out);

}  // namespace cirrus::cli
