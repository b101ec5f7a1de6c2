#include "models/compute/profile_scaling.hpp"

#include <fmt/format.h>
#include <stdexcept>

namespace cirrus::models {

Profile scaled_for(const Profile& profile, const GpuSpec& twin, const GpuSpec& target) {
  if (!profile.device.gpu.empty() && profile.device.gpu != twin.id) {
    throw std::invalid_argument(
        fmt::format("scaled_for: a profile of {} given as {}'s", profile.device.gpu, twin.id));
  }
  if (!(twin.memory_bw > 0) || !(twin.sustained_clock > 0)) {
    throw std::invalid_argument("scaled_for: the twin needs a memory bandwidth and a clock");
  }
  const double compute = target.sustained_clock / twin.sustained_clock;
  const double memory = target.memory_bw / twin.memory_bw;

  Profile p = profile;
  p.device.gpu = target.id;
  p.scaled = ProfileScaling{twin.id, compute, memory};
  for (GemmPoint& g : p.gemm) {
    g.seconds /= compute;
    g.tflops *= compute;
  }
  for (AttentionPoint& a : p.attention) {
    a.fwd_s /= compute;
    a.bwd_s /= compute;
  }
  for (MemoryPoint& m : p.memory) {
    m.seconds /= memory;
    m.gbps *= memory;
  }
  for (CurveFit& f : p.fits) {
    double factor = 1.0;
    if (f.family == FitFamily::kGemm || f.family == FitFamily::kAttention) factor = compute;
    if (f.family == FitFamily::kMemory) factor = memory;
    f.alpha_s /= factor;
    f.rate *= factor;
  }
  p.notes.push_back(fmt::format(
      "derived for {} from this {} profile: GEMM and attention rates x{:.4g} (sustained clock "
      "{:.4g} against {:.4g}), memory-bound kernel bandwidths x{:.4g} (HBM {:.0f} GB/s against "
      "{:.0f} GB/s); host copies and collectives as measured on the {}",
      target.display, twin.display, compute, target.sustained_clock, twin.sustained_clock, memory,
      target.memory_bw / 1e9, twin.memory_bw / 1e9, twin.display));
  return p;
}

}  // namespace cirrus::models
