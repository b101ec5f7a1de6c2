// `cirrus calibrate`: runs the stages in order and assembles the profile.
#include "calibrate/microbench.hpp"
#include "common/enum_names.hpp"

#include <fmt/format.h>
#include <chrono>
#include <ctime>
#include <sstream>

#include "calibrate/bench.hpp"
#include "calibrate/cuda_util.hpp"
#include "calibrate/fit.hpp"
#include "calibrate/profile_io.hpp"

namespace cirrus::calibrate {
namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Expected share of a full run's time per unit of each stage (an H100 estimate: GEMMs
// dominate; attention plans take a while to build). Only the ETA depends on these.
double unit_weight(Stage s) {
  switch (s) {
    case Stage::kGemm:
      return 0.04;
    case Stage::kAttention:
      return 1.5;
    case Stage::kMemory:
      return 0.15;
    case Stage::kCopy:
      return 0.3;
    case Stage::kCollectives:
      return 0.3;
  }
  return 1.0;
}

}  // namespace

constexpr EnumNames<Stage, 5> kStageNames = {{{Stage::kGemm, "gemm"},
                                              {Stage::kAttention, "attention"},
                                              {Stage::kMemory, "memory"},
                                              {Stage::kCopy, "copy"},
                                              {Stage::kCollectives, "collectives"}}};

const char* to_string(Stage s) { return name_in(kStageNames, s); }

std::vector<Stage> parse_stages(const std::string& list) {
  std::vector<Stage> out;
  std::istringstream in(list);
  for (std::string item; std::getline(in, item, ',');) {
    if (item.empty()) continue;
    bool found = false;
    for (Stage s :
         {Stage::kGemm, Stage::kAttention, Stage::kMemory, Stage::kCopy, Stage::kCollectives}) {
      if (item == to_string(s)) {
        out.push_back(s);
        found = true;
      }
    }
    if (!found) {
      throw std::invalid_argument("--stages: unknown stage '" + item +
                                  "' (gemm, attention, memory, copy, collectives)");
    }
  }
  return out;
}

ProgressTracker::ProgressTracker(std::function<void(const Progress&)> sink, double total_weight)
    : sink_(std::move(sink)),
      total_weight_(total_weight > 0 ? total_weight : 1.0),
      start_s_(now_s()) {}

void ProgressTracker::begin_stage(const std::string& name, double weight, int units) {
  stage_weight_ = weight;
  stage_units_ = std::max(units, 1);
  stage_done_ = 0;
  label_ = name;
  report();
}

void ProgressTracker::set_label(const std::string& label) {
  label_ = label;
  report();
}

void ProgressTracker::step(int units) {
  stage_done_ = std::min(stage_done_ + units, stage_units_);
  report();
}

void ProgressTracker::end_stage() {
  done_weight_ += stage_weight_;
  stage_weight_ = 0;
  stage_done_ = 0;
  report();
}

void ProgressTracker::report() {
  if (!sink_) return;
  Progress p;
  p.stage = label_;
  const double done = done_weight_ + stage_weight_ * stage_done_ / stage_units_;
  p.fraction = std::min(done / total_weight_, 1.0);
  p.elapsed_s = now_s() - start_s_;
  p.eta_s = p.fraction > 0.02 ? p.elapsed_s * (1.0 - p.fraction) / p.fraction : -1.0;
  sink_(p);
}

double BenchContext::usable_bytes() const {
  std::size_t free = 0, total = 0;
  CIRRUS_CUDA_CHECK(cudaMemGetInfo(&free, &total));
  // Leave room for cuBLAS/cuDNN workspaces, NCCL buffers and the allocator's own needs.
  return std::max(0.0, static_cast<double>(free) * 0.9 - 1.0e9);
}

models::Profile run_microbenchmarks(const RunOptions& options) {
  int devices = 0;
  const cudaError_t found = cudaGetDeviceCount(&devices);
  if (found != cudaSuccess || devices == 0) {
    throw NoDeviceError(fmt::format(
        "no CUDA device: {}", found == cudaSuccess ? "none visible" : cudaGetErrorString(found)));
  }
  if (options.device < 0 || options.device >= devices) {
    throw NoDeviceError(fmt::format("no CUDA device {} (there are {})", options.device, devices));
  }
  CIRRUS_CUDA_CHECK(cudaSetDevice(options.device));

  models::Profile profile;
  profile.device = query_device(options.device, devices);
  profile.versions = query_versions();
  profile.date = utc_now();
  profile.mode = options.quick ? "quick" : "full";
  if (profile.device.gpu.empty()) {
    profile.notes.push_back("device '" + profile.device.name +
                            "' matches no cirrus GPU preset: the profile is kept, but scenarios "
                            "name GPUs by preset");
  }

  BenchContext ctx;
  ctx.device = options.device;
  CIRRUS_CUDA_CHECK(cudaGetDeviceProperties(&ctx.props, options.device));
  ctx.l2_bytes = static_cast<double>(ctx.props.l2CacheSize);
  ctx.quick = options.quick;
  ctx.log = options.on_log;
  ctx.notes = &profile.notes;
  CIRRUS_CUDA_CHECK(cudaStreamCreateWithFlags(&ctx.stream, cudaStreamNonBlocking));
  struct StreamGuard {
    cudaStream_t s;
    ~StreamGuard() { cudaStreamDestroy(s); }
  } stream_guard{ctx.stream};

  std::vector<Stage> stages = options.stages;
  if (stages.empty()) {
    stages = {Stage::kGemm, Stage::kAttention, Stage::kMemory, Stage::kCopy, Stage::kCollectives};
  }
  auto units = [&](Stage s) {
    switch (s) {
      case Stage::kGemm:
        return gemm_units(ctx);
      case Stage::kAttention:
        return attention_units(ctx);
      case Stage::kMemory:
        return memory_units(ctx);
      case Stage::kCopy:
        return copy_units(ctx);
      case Stage::kCollectives:
        return collective_units(ctx, devices);
    }
    return 0;
  };
  double total = 0;
  for (Stage s : stages) total += unit_weight(s) * units(s);
  ProgressTracker progress(options.on_progress, total);
  ctx.progress = &progress;

  ctx.say(fmt::format(
      "{} ({} SMs, {:.0f} GiB, L2 {:.0f} MiB), driver {}, CUDA {}, cuBLAS {}, "
      "cuDNN {}, NCCL {}; {} run",
      profile.device.name, profile.device.sm_count,
      profile.device.memory_bytes / (1024.0 * 1024 * 1024), ctx.l2_bytes / (1024.0 * 1024),
      profile.versions.driver, profile.versions.cuda_runtime, profile.versions.cublas,
      profile.versions.cudnn, profile.versions.nccl, profile.mode));
  for (Stage s : stages) {
    const double started = now_s();
    progress.begin_stage(to_string(s), unit_weight(s) * units(s), units(s));
    switch (s) {
      case Stage::kGemm:
        bench_gemm(ctx, profile);
        break;
      case Stage::kAttention:
        bench_attention(ctx, profile);
        break;
      case Stage::kMemory:
        bench_memory(ctx, profile);
        break;
      case Stage::kCopy:
        bench_copy(ctx, profile);
        break;
      case Stage::kCollectives:
        bench_collectives(ctx, profile, devices);
        break;
    }
    CIRRUS_CUDA_CHECK(cudaSetDevice(options.device));
    CIRRUS_CUDA_CHECK(cudaDeviceSynchronize());
    progress.end_stage();
    ctx.say(fmt::format("{} done in {:.1f} s", to_string(s), now_s() - started));
  }
  profile.fits = fit_profile(profile);
  return profile;
}

}  // namespace cirrus::calibrate
