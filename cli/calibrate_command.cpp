// `cirrus calibrate --out PROFILE [--quick]`: runs cirrus-calibrate beside this executable (a
// build with CUDA only), which measures this machine's GPUs and writes a profile.
// `cirrus calibrate import-nccl-tests LOG... --out PROFILE [--into EXISTING] [--op OP]`: reads
// nccl-tests output into a profile's collective tables.
// `cirrus calibrate import-vidur DIR --gpu a100|h100 --out PROFILE [--all-points]`: reads
// Microsoft Vidur's public profiling tables into a profile (calibrate/import_vidur.hpp).
#include <fmt/format.h>
#include <unistd.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <vector>

#include "app/calibrate_run.hpp"
#include "cli/commands.hpp"
#include "common/data_dir.hpp"
#include "common/input_error.hpp"
#include "reports/calibrate_render.hpp"

namespace cirrus::cli {
namespace {

struct CalibrateOptions {
  std::string out;
  bool quick = false;
  std::string stages;
  bool no_progress = false;
  app::NcclImportOptions nccl;
  app::VidurImportOptions vidur;
};

ExitCode run_import(const CalibrateOptions& o) {
  const app::NcclImport r = app::import_nccl_tests(o.nccl);
  fmt::print(stderr, "{}", reports::nccl_import_warnings(r));
  emit(reports::render_nccl_import(r, o.nccl.out), "");
  return kExitOk;
}

ExitCode run_import_vidur(const CalibrateOptions& o) {
  emit(reports::render_vidur_import(app::import_vidur(o.vidur), o.vidur.out), "");
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
  argv.reserve(args.size() + 1);
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::fflush(stdout);
  ::execv(tool.c_str(), argv.data());
  throw IoError("cannot run " + tool + ": " + std::strerror(errno));
}

}  // namespace

Action add_calibrate(CLI::App& app) {
  auto opt = std::make_shared<CalibrateOptions>();
  auto* sub =
      app.add_subcommand("calibrate",
                         "measure this machine's GPUs into a profile (needs a build with CUDA), or "
                         "import nccl-tests logs or Vidur's public timings");
  sub->add_option("--out", opt->out, "the profile to write (JSON, written atomically)");
  sub->add_flag("--quick", opt->quick, "a subset of the measurements (under 2 minutes on an H100)");
  sub->add_option("--stages", opt->stages,
                  "only these stages, comma-separated: gemm,attention,memory,copy,collectives");
  sub->add_flag("--no-progress", opt->no_progress, "no progress bar on standard error");

  auto* imp = sub->add_subcommand(
      "import-nccl-tests", "read nccl-tests output (all_reduce_perf and friends) into a profile");
  imp->add_option("logs", opt->nccl.logs, "nccl-tests standard output, one run per file")
      ->required();
  imp->add_option("--out", opt->nccl.out, "the profile to write")->required();
  imp->add_option("--into", opt->nccl.into,
                  "an existing profile to add the collectives to (default: a new profile)");
  imp->add_option("--date", opt->nccl.date,
                  "the day the logs were measured, YYYY-MM-DD (the new profile's date; default: "
                  "undated)");
  imp->add_option("--op", opt->nccl.op, "the collective, for logs that do not name it")
      ->check(CLI::IsMember(
          {"all_reduce", "all_gather", "reduce_scatter", "all_to_all", "broadcast", "send_recv"}));

  auto* vidur = sub->add_subcommand(
      "import-vidur", "read Microsoft Vidur's public kernel and NCCL timings into a profile");
  vidur->add_option("dir", opt->vidur.dir, "Vidur's data/profiling folder (compute/, network/)")
      ->required();
  vidur->add_option("--gpu", opt->vidur.gpu, "which GPU's tables: a100 or h100")
      ->required()
      ->check(CLI::IsMember({"a100", "h100"}));
  vidur->add_option("--out", opt->vidur.out, "the profile to write")->required();
  vidur->add_flag("--all-points", opt->vidur.all_points,
                  "keep every measured token count and size (default: a grid, see the notes)");
  vidur->add_option("--commit", opt->vidur.commit,
                    "the Vidur commit the tables come from (default: the one cirrus ships)");
  vidur->add_option("--date", opt->vidur.date, "that commit's date, the profile's date");

  return [opt, imp, vidur]() {
    if (imp->parsed()) return run_import(*opt);
    if (vidur->parsed()) return run_import_vidur(*opt);
    return run_calibrate(*opt);
  };
}

}  // namespace cirrus::cli
