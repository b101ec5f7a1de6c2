// The `cirrus` executable: subcommands, and the one place where errors become exit statuses.
#include <fmt/format.h>
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <thread>

#include "cli/commands.hpp"
#include "common/atomic_write.hpp"
#include "common/input_error.hpp"
#include "models/network/topology.hpp"
#include "reports/version_render.hpp"

namespace cirrus::cli {

void add_public_profile_flag(CLI::App& sub, app::ProfileDefaults& defaults) {
  sub.add_flag_callback(
      "--no-public-profile", [&defaults]() { defaults.public_profile = false; },
      "datasheet figures where the scenario names no profile, instead of the public profile "
      "shipped for the GPU (calibrate/profiles/public/)");
}

void add_no_progress_flag(CLI::App& sub, bool& no_progress) {
  sub.add_flag("--no-progress", no_progress, "no progress bar on standard error");
}

int threads_of(int jobs) {
  return jobs > 0 ? jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

void emit(const std::string& text, const std::string& out) {
  if (out.empty()) {
    // A full disk or a closed stdout must not pass for a written result.
    if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() ||
        std::fflush(stdout) != 0) {
      throw IoError(std::string("standard output: write failed: ") + std::strerror(errno));
    }
  } else {
    write_file_atomic(out, text);
  }
}

}  // namespace cirrus::cli

namespace {

int run_cirrus(int argc, char** argv) {
  using namespace cirrus;
  CLI::App app{"cirrus: simulate, price and plan distributed training on GPU clusters"};
  app.require_subcommand(1);
  // One line per command-line error, as for every other error (the subcommands' --help lists
  // their options); failure_message is inherited by the subcommands added below.
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    return fmt::format("cirrus: {} (see --help)\n", e.what());
  });
  app.set_version_flag("--version", [] { return reports::render_version(app::version_info()); });
  app.set_help_all_flag("--help-all", "help for every command (the man page is made of it)");
  std::map<const CLI::App*, cli::Action> actions;
  auto add = [&](cli::Action (*f)(CLI::App&)) {
    const std::size_t before = app.get_subcommands({}).size();
    cli::Action a = f(app);
    actions[app.get_subcommands({})[before]] = std::move(a);
  };
  add(&cli::add_simulate);
  add(&cli::add_validate);
  add(&cli::add_collective);
  add(&cli::add_plan);
  add(&cli::add_check);
  add(&cli::add_calibrate);
  add(&cli::add_catalog);
  add(&cli::add_price);
  add(&cli::add_report);
  add(&cli::add_serve);
  add(&cli::add_elastic);
  add(&cli::add_presets);
  add(&cli::add_scenario);
  add(&cli::add_completion);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  } catch (...) {  // a numeric option out of its range (cli/number_checks.cpp): InputError
    return static_cast<int>(report_current_exception());
  }
  try {
    for (const auto& [sub, action] : actions) {
      if (sub->parsed()) {
        const ExitCode code = action();
        // What was printed with fmt::print must have reached its file too.
        if (std::fflush(stdout) != 0 || std::ferror(stdout) != 0) {
          throw IoError(std::string("standard output: write failed: ") + std::strerror(errno));
        }
        return static_cast<int>(code);
      }
    }
    return kExitUsage;
  } catch (const models::TopologyError& e) {
    fmt::print(stderr, "cirrus: {}\n", e.what());
    return kExitBadInput;
  } catch (...) {
    return static_cast<int>(report_current_exception());
  }
}

}  // namespace

// Setting up the commands can throw too (out of memory, a clash of CLI11 options): the same
// one line and exit status as any other error, never an exception escaping main.
int main(int argc, char** argv) {
  try {
    return run_cirrus(argc, argv);
  } catch (...) {
    return static_cast<int>(cirrus::report_current_exception());
  }
}
