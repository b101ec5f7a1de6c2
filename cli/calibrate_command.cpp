// `cirrus calibrate --out PROFILE [--quick]`: runs cirrus-calibrate beside this executable (a
// build with CUDA only), which measures this machine's GPUs and writes a profile.
// `cirrus calibrate import-nccl-tests LOG... --out PROFILE [--into EXISTING] [--op OP]`: reads
// nccl-tests output into a profile's collective tables.
// `cirrus calibrate import-vidur DIR --gpu a100|h100 --out PROFILE [--all-points]`: reads
// Microsoft Vidur's public profiling tables into a profile (calibrate/import_vidur.hpp).
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fmt/format.h>
#include <memory>
#include <unistd.h>
#include <vector>

#include "calibrate/import_vidur.hpp"
#include "calibrate/nccl_tests.hpp"
#include "calibrate/profile_io.hpp"
#include "cli/commands.hpp"
#include "common/data_dir.hpp"
#include "common/input_error.hpp"

namespace cirrus::cli {
namespace {

struct CalibrateOptions {
  std::string out;
  bool quick = false;
  std::string stages;
  bool no_progress = false;
  // import-nccl-tests
  std::vector<std::string> logs;
  std::string import_out;
  std::string into;
  std::string op;
  // import-vidur
  std::string vidur_dir;
  std::string vidur_gpu;
  std::string vidur_out;
  bool vidur_all_points = false;
  std::string vidur_commit = calibrate::kVidurCommit;
  std::string vidur_date = calibrate::kVidurDate;
};

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string human_bytes(double b) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  int u = 0;
  while (b >= 1024.0 && u < 4) {
    b /= 1024.0;
    ++u;
  }
  return fmt::format("{:g} {}", std::round(b * 10) / 10, units[u]);
}

ExitCode run_import(const CalibrateOptions& o) {
  std::optional<models::CollectiveKind> op;
  if (!o.op.empty()) op = models::parse_collective_kind(o.op);
  std::vector<calibrate::NcclTestsLog> logs;
  for (const std::string& path : o.logs) logs.push_back(calibrate::read_nccl_tests_log(path, op));

  models::Profile profile;
  if (!o.into.empty()) {
    profile = calibrate::read_profile(o.into);
  } else {
    profile.date = utc_now();
    profile.mode = "import";
  }
  for (const auto& log : logs) {
    const std::string gpu = models::gpu_preset_for_device(log.device_name);
    if (!profile.device.gpu.empty() && !gpu.empty() && gpu != profile.device.gpu) {
      fmt::print(stderr, "cirrus: warning: {} ran on {} ({}), the profile is for {}\n", log.file,
                 log.device_name, gpu, profile.device.gpu);
    }
  }
  calibrate::merge_nccl_tests(profile, logs);
  if (profile.device.name.empty()) profile.device.name = "unknown (nccl-tests log without ranks)";

  for (const auto& log : logs) {
    for (const auto& w : log.warnings) fmt::print(stderr, "cirrus: warning: {}\n", w);
    double best = 0;
    for (const auto& p : log.points) best = std::max(best, p.busbw_gbs);
    fmt::print("{}: {} over {} ranks on {} node{}, {} sizes ({} to {}), busbw up to {:.1f} GB/s\n",
               log.file, models::to_string(log.op), log.ranks, log.nodes,
               log.nodes == 1 ? "" : "s", log.points.size(),
               human_bytes(static_cast<double>(log.points.front().bytes)),
               human_bytes(static_cast<double>(log.points.back().bytes)), best);
  }
  calibrate::write_profile(o.import_out, profile);
  fmt::print("wrote {} ({} collective points, {} fits)\n", o.import_out,
             profile.collectives.size(), profile.fits.size());
  return kExitOk;
}

ExitCode run_import_vidur(const CalibrateOptions& o) {
  calibrate::VidurOptions vo;
  vo.gpu = *calibrate::parse_vidur_gpu(o.vidur_gpu);  // CLI11 checked the spelling
  vo.all_points = o.vidur_all_points;
  vo.commit = o.vidur_commit;
  vo.date = o.vidur_date;
  const models::Profile profile = calibrate::import_vidur(o.vidur_dir, vo);
  calibrate::write_profile(o.vidur_out, profile);
  fmt::print("wrote {}: Vidur {} on {} ({} GEMM, {} memory, {} collective points; {} fits)\n",
             o.vidur_out, profile.source->commit.substr(0, 12), profile.device.name,
             profile.gemm.size(), profile.memory.size(), profile.collectives.size(),
             profile.fits.size());
  return kExitOk;
}

// The measurement links CUDA's libraries, so it is another executable: cirrus-calibrate beside
// this one (CUDA builds only), given the options this subcommand read. cirrus itself then starts
// on machines without CUDA.
ExitCode run_calibrate(const CalibrateOptions& o) {
  const std::string self = executable_path();
  const std::string tool =
      (std::filesystem::path(self).parent_path() / "cirrus-calibrate").string();
  if (self.empty() || ::access(tool.c_str(), X_OK) != 0) {
    throw UsageError(
        "cirrus was built without CUDA: rebuild with the cuda preset on a GPU machine "
        "(-DCIRRUS_CUDA=ON; cirrus-calibrate not found beside " +
        (self.empty() ? std::string("the cirrus executable") : self) + ")");
  }
  std::vector<std::string> args = {tool};
  if (!o.out.empty()) args.insert(args.end(), {"--out", o.out});
  if (o.quick) args.emplace_back("--quick");
  if (!o.stages.empty()) args.insert(args.end(), {"--stages", o.stages});
  if (o.no_progress) args.emplace_back("--no-progress");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::fflush(stdout);
  ::execv(tool.c_str(), argv.data());
  throw IoError("cannot run " + tool + ": " + std::strerror(errno));
}

}  // namespace

Action add_calibrate(CLI::App& app) {
  auto opt = std::make_shared<CalibrateOptions>();
  auto* sub = app.add_subcommand(
      "calibrate", "measure this machine's GPUs into a profile (needs a build with CUDA), or "
                   "import nccl-tests logs or Vidur's public timings");
  sub->add_option("--out", opt->out, "the profile to write (JSON, written atomically)");
  sub->add_flag("--quick", opt->quick, "a subset of the measurements (under 2 minutes on an H100)");
  sub->add_option("--stages", opt->stages,
                  "only these stages, comma-separated: gemm,attention,memory,copy,collectives");
  sub->add_flag("--no-progress", opt->no_progress, "no progress bar on standard error");

  auto* imp = sub->add_subcommand(
      "import-nccl-tests", "read nccl-tests output (all_reduce_perf and friends) into a profile");
  imp->add_option("logs", opt->logs, "nccl-tests standard output, one run per file")->required();
  imp->add_option("--out", opt->import_out, "the profile to write")->required();
  imp->add_option("--into", opt->into,
                  "an existing profile to add the collectives to (default: a new profile)");
  imp->add_option("--op", opt->op, "the collective, for logs that do not name it")
      ->check(CLI::IsMember({"all_reduce", "all_gather", "reduce_scatter", "all_to_all",
                             "broadcast", "send_recv"}));

  auto* vidur = sub->add_subcommand(
      "import-vidur", "read Microsoft Vidur's public kernel and NCCL timings into a profile");
  vidur->add_option("dir", opt->vidur_dir, "Vidur's data/profiling folder (compute/, network/)")
      ->required();
  vidur->add_option("--gpu", opt->vidur_gpu, "which GPU's tables: a100 or h100")
      ->required()
      ->check(CLI::IsMember({"a100", "h100"}));
  vidur->add_option("--out", opt->vidur_out, "the profile to write")->required();
  vidur->add_flag("--all-points", opt->vidur_all_points,
                  "keep every measured token count and size (default: a grid, see the notes)");
  vidur->add_option("--commit", opt->vidur_commit,
                    "the Vidur commit the tables come from (default: the one cirrus ships)");
  vidur->add_option("--date", opt->vidur_date, "that commit's date, the profile's date");

  return [opt, imp, vidur]() {
    if (imp->parsed()) return run_import(*opt);
    if (vidur->parsed()) return run_import_vidur(*opt);
    return run_calibrate(*opt);
  };
}

}  // namespace cirrus::cli
