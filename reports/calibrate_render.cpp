#include "reports/calibrate_render.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>

namespace cirrus::reports {
namespace {

std::string human_bytes(double b) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  int u = 0;
  while (b >= 1024.0 && u < 4) {
    b /= 1024.0;
    ++u;
  }
  return fmt::format("{:g} {}", std::round(b * 10) / 10, units[u]);
}

}  // namespace

std::string nccl_import_warnings(const app::NcclImport& r) {
  std::string text;
  for (const auto& log : r.logs) {
    for (const auto& w : log.warnings) text += fmt::format("cirrus: warning: {}\n", w);
  }
  return text;
}

std::string render_nccl_import(const app::NcclImport& r, const std::string& out) {
  std::string text;
  for (const auto& log : r.logs) {
    double best = 0;
    for (const auto& p : log.points) best = std::max(best, p.busbw_gbs);
    text += fmt::format(
        "{}: {} over {} ranks on {} node{}, {} sizes ({} to {}), busbw up to {:.1f} GB/s\n",
        log.file, models::to_string(log.op), log.ranks, log.nodes, log.nodes == 1 ? "" : "s",
        log.points.size(), human_bytes(static_cast<double>(log.points.front().bytes)),
        human_bytes(static_cast<double>(log.points.back().bytes)), best);
  }
  text += fmt::format("wrote {} ({} collective points, {} fits)\n", out,
                      r.profile.collectives.size(), r.profile.fits.size());
  return text;
}

std::string render_vidur_import(const models::Profile& profile, const std::string& out) {
  return fmt::format(
      "wrote {}: Vidur {} on {} ({} GEMM, {} memory, {} collective points; {} fits)\n", out,
      profile.source->commit.substr(0, 12), profile.device.name, profile.gemm.size(),
      profile.memory.size(), profile.collectives.size(), profile.fits.size());
}

}  // namespace cirrus::reports
