// cirrus-calibrate [--quick] --out PROFILE [--stages LIST] [--no-progress]: measures this
// machine's GPUs (calibrate/microbench.hpp) and writes a profile. The only executable that
// links CUDA, cuBLASLt, cuDNN and NCCL, so that `cirrus` starts on machines without them;
// `cirrus calibrate` runs this one, found beside it, with the options it was given. Errors and
// exit statuses are cirrus's (docs/CONTRACT.md).
#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>

#include "calibrate/microbench.hpp"
#include "calibrate/profile_io.hpp"
#include "common/input_error.hpp"
#include "common/progress.hpp"

namespace {

using namespace cirrus;

struct Options {
  std::string out;
  bool quick = false;
  std::string stages;
  bool no_progress = false;
};

int run(const Options& o) {
  if (o.out.empty()) throw UsageError("calibrate needs --out PROFILE (or: import-nccl-tests)");
  calibrate::RunOptions run;
  run.quick = o.quick;
  try {
    run.stages = calibrate::parse_stages(o.stages);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  // The bar on a terminal; the stage lines always.
  ProgressBar bar(!o.no_progress);
  run.on_progress = [&bar](const calibrate::Progress& p) {
    bar.update(p.stage, p.fraction, p.eta_s < 0 ? std::nullopt : std::optional<double>(p.eta_s));
  };
  run.on_log = [&bar](const std::string& line) { bar.log("calibrate: " + line); };
  models::Profile profile;
  try {
    profile = calibrate::run_microbenchmarks(run);
  } catch (const calibrate::NoDeviceError& e) {
    throw UsageError(std::string(e.what()) + " (calibrate measures this machine's GPUs)");
  }
  bar.finish();
  for (const auto& note : profile.notes) fmt::print(stderr, "calibrate: note: {}\n", note);
  calibrate::write_profile(o.out, profile);
  fmt::print(
      "wrote {}: {} on {} ({} GEMM, {} attention, {} memory, {} copy, {} collective "
      "points; {} fits)\n",
      o.out, profile.mode, profile.device.name, profile.gemm.size(), profile.attention.size(),
      profile.memory.size(), profile.host_copy.size(), profile.collectives.size(),
      profile.fits.size());
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"cirrus-calibrate: measure this machine's GPUs into a cirrus profile"};
  Options o;
  app.add_option("--out", o.out, "the profile to write (JSON, written atomically)");
  app.add_flag("--quick", o.quick, "a subset of the measurements (under 2 minutes on an H100)");
  app.add_option("--stages", o.stages,
                 "only these stages, comma-separated: gemm,attention,memory,copy,collectives");
  app.add_flag("--no-progress", o.no_progress, "no progress bar on standard error");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }
  try {
    return run(o);
  } catch (...) {
    return report_current_exception();
  }
}
