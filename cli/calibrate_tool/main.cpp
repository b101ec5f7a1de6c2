// cirrus-calibrate [--quick] --out PROFILE [--stages LIST] [--no-progress]: measures this
// machine's GPUs (calibrate/microbench.hpp) and writes a profile. The only executable that
// links CUDA, cuBLASLt, cuDNN and NCCL, so that `cirrus` starts on machines without them;
// `cirrus calibrate` runs this one, found beside it, with the options it was given. Errors and
// exit statuses are cirrus's (docs/CONTRACT.md).
#include <fmt/format.h>
#include <unistd.h>
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "calibrate/microbench.hpp"
#include "calibrate/profile_io.hpp"
#include "common/input_error.hpp"

namespace {

using namespace cirrus;

struct Options {
  std::string out;
  bool quick = false;
  std::string stages;
  bool no_progress = false;
};

// A one-line progress bar on a terminal; stage lines otherwise.
class ProgressBar {
 public:
  explicit ProgressBar(bool enabled) : enabled_(enabled && isatty(fileno(stderr)) != 0) {}
  ~ProgressBar() { finish(); }
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void update(const calibrate::Progress& p) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(100) && p.fraction < 1.0) return;
    last_ = now;
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(std::clamp(p.fraction, 0.0, 1.0) * kWidth);
    const std::string eta = p.eta_s < 0 ? std::string("--:--")
                                        : fmt::format("{}:{:02d}", static_cast<int>(p.eta_s) / 60,
                                                      static_cast<int>(p.eta_s) % 60);
    fmt::print(stderr, "\r  {:<24.24} [{}{}] {:3.0f}%  ETA {}  ", p.stage,
               std::string(static_cast<std::size_t>(filled), '#'),
               std::string(static_cast<std::size_t>(kWidth - filled), '-'), p.fraction * 100, eta);
    std::fflush(stderr);
    drawn_ = true;
  }
  void log(const std::string& line) {
    if (drawn_) fmt::print(stderr, "\r{:<80}\r", "");
    fmt::print(stderr, "calibrate: {}\n", line);
    drawn_ = false;
  }
  void finish() {
    if (drawn_) fmt::print(stderr, "\n");
    drawn_ = false;
  }

 private:
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_{};
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
  ProgressBar bar(!o.no_progress);
  run.on_progress = [&bar](const calibrate::Progress& p) { bar.update(p); };
  run.on_log = [&bar](const std::string& line) { bar.log(line); };
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
