#pragma once
// What the microbenchmark stages share (internal to cirrus_calibrate_cuda): the device they
// run on, the run's options, progress reporting, and the stage entry points. Each stage
// appends its rows to the profile and its skips and fallbacks to the profile's notes.
#include <cuda_runtime.h>
#include <functional>
#include <string>
#include <vector>

#include "calibrate/microbench.hpp"
#include "models/compute/profile.hpp"

namespace cirrus::calibrate {

// Fraction of the run done, stage by stage: each stage has a weight (its expected share of
// the time) and counts its own units of work.
class ProgressTracker {
 public:
  ProgressTracker(std::function<void(const Progress&)> sink, double total_weight);

  void begin_stage(const std::string& name, double weight, int units);
  void set_label(const std::string& label);  // "gemm bf16"
  void step(int units = 1);
  void end_stage();

 private:
  void report();

  std::function<void(const Progress&)> sink_;
  double total_weight_;
  double done_weight_ = 0;  // of finished stages
  double stage_weight_ = 0;
  int stage_units_ = 1;
  int stage_done_ = 0;
  std::string label_;
  double start_s_;
};

struct BenchContext {
  int device = 0;
  cudaDeviceProp props{};
  double l2_bytes = 0;
  bool quick = false;
  cudaStream_t stream = nullptr;
  ProgressTracker* progress = nullptr;
  std::function<void(const std::string&)> log;  // one line per finished group; may be empty
  std::vector<std::string>* notes = nullptr;

  void say(const std::string& line) const {
    if (log) log(line);
  }
  // Device memory the stage may take: what is free, less a margin for libraries' workspaces.
  double usable_bytes() const;
};

// Units of work each stage will report, so the tracker can weigh them before they run.
int gemm_units(const BenchContext& ctx);
int attention_units(const BenchContext& ctx);
int memory_units(const BenchContext& ctx);
int copy_units(const BenchContext& ctx);
int collective_units(const BenchContext& ctx, int devices);

void bench_gemm(BenchContext& ctx, models::Profile& profile);
void bench_attention(BenchContext& ctx, models::Profile& profile);
void bench_memory(BenchContext& ctx, models::Profile& profile);
void bench_copy(BenchContext& ctx, models::Profile& profile);
void bench_collectives(BenchContext& ctx, models::Profile& profile, int devices);

// Device and library facts for the profile.
models::ProfileDevice query_device(int device, int device_count);
models::ProfileVersions query_versions();

}  // namespace cirrus::calibrate
