#include "app/calibrate_run.hpp"

#include <fmt/format.h>

#include "calibrate/profile_io.hpp"
#include "common/input_error.hpp"
#include "pricing/catalog.hpp"

namespace cirrus::app {

NcclImport import_nccl_tests(const NcclImportOptions& o) {
  std::optional<models::CollectiveKind> op;
  if (!o.op.empty()) op = models::parse_collective_kind(o.op);
  NcclImport r;
  for (const std::string& path : o.logs) r.logs.push_back(calibrate::read_nccl_tests_log(path, op));
  if (!o.into.empty()) {
    r.profile = calibrate::read_profile(o.into);
  } else {
    // Never the time of the import: the same logs give the same profile, byte for byte.
    if (!o.date.empty() && (o.date.size() != 10 || !pricing::is_catalog_date(o.date))) {
      throw InputError("command line", "--date", "a date YYYY-MM-DD", "\"" + o.date + "\"");
    }
    r.profile.date = o.date.empty() ? "undated" : o.date;
    if (o.date.empty()) {
      r.profile.notes.push_back(
          "nccl-tests logs carry no date and none was given (--date): the profile is undated");
    }
    r.profile.mode = "import";
  }
  // One profile describes one GPU model: a log of another (or of another than the profile
  // given with --into) would mix two machines' curves into one fit.
  std::string first_gpu = r.profile.device.gpu;
  std::string first_from = o.into.empty() ? std::string() : "the profile " + o.into;
  for (const auto& log : r.logs) {
    const std::string gpu = models::gpu_preset_for_device(log.device_name);
    if (gpu.empty()) continue;
    if (first_gpu.empty()) {
      first_gpu = gpu;
      first_from = log.file;
    } else if (gpu != first_gpu) {
      throw InputError(log.file, "device",
                       fmt::format("logs of one GPU model, as {} ({}); import each GPU's logs "
                                   "into its own profile",
                                   first_from, first_gpu),
                       fmt::format("{} ({})", log.device_name, gpu));
    }
  }
  calibrate::merge_nccl_tests(r.profile, r.logs);
  if (r.profile.device.name.empty()) {
    r.profile.device.name = "unknown (nccl-tests log without ranks)";
  }
  calibrate::write_profile(o.out, r.profile);
  return r;
}

models::Profile import_vidur(const VidurImportOptions& o) {
  calibrate::VidurOptions vo;
  const auto gpu = calibrate::parse_vidur_gpu(o.gpu);
  if (!gpu) throw UsageError("--gpu: expected a100 or h100, found " + o.gpu);
  vo.gpu = *gpu;
  vo.all_points = o.all_points;
  vo.commit = o.commit;
  vo.date = o.date;
  models::Profile profile = calibrate::import_vidur(o.dir, vo);
  calibrate::write_profile(o.out, profile);
  return profile;
}

}  // namespace cirrus::app
