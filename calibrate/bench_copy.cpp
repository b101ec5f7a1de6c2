// The copy stage: cudaMemcpyAsync between pinned host memory and the device (what activation
// and optimizer offload move) and within the device. Sizes count the bytes copied once.
#include <fmt/format.h>
#include <algorithm>
#include <cstring>
#include <vector>

#include "calibrate/bench.hpp"
#include "calibrate/cuda_util.hpp"
#include "calibrate/profile_io.hpp"

namespace cirrus::calibrate {
namespace {

struct Plan {
  models::CopyDirection direction;
  std::vector<double> sizes;
};

std::vector<double> powers_of_4(double lo, double hi) {
  std::vector<double> out;
  for (double s = lo; s <= hi; s *= 4) out.push_back(s);
  return out;
}

std::vector<Plan> plans(bool quick) {
  const double host_top = quick ? 268435456.0 : 1073741824.0;
  const double device_top = quick ? 268435456.0 : 4294967296.0;
  return {{models::CopyDirection::kHostToDevice, powers_of_4(1048576.0, host_top)},
          {models::CopyDirection::kDeviceToHost, powers_of_4(1048576.0, host_top)},
          {models::CopyDirection::kDeviceToDevice, powers_of_4(1048576.0, device_top)}};
}

}  // namespace

int copy_units(const BenchContext& ctx) {
  int n = 0;
  for (const Plan& p : plans(ctx.quick)) n += static_cast<int>(p.sizes.size());
  return n;
}

void bench_copy(BenchContext& ctx, models::Profile& profile) {
  const std::vector<Plan> all = plans(ctx.quick);
  const auto host_bytes = static_cast<std::size_t>(all[0].sizes.back());
  PinnedBuffer host(host_bytes);
  std::memset(host.get(), 0x3c, host.size());  // non-zero bytes
  // Device side: room for the largest device-to-device copy (source and destination), or
  // rotating copies of small ones past the L2.
  const double device_top = all[2].sizes.back();
  const double pool_bytes = std::min(2.0 * device_top + 4.0 * ctx.l2_bytes, ctx.usable_bytes());
  DeviceBuffer pool(static_cast<std::size_t>(pool_bytes));
  fill_random(pool.get(), pool.size() / 4, Fill::kFloat, 0xc0ffeeu, ctx.stream);
  CIRRUS_CUDA_CHECK(cudaStreamSynchronize(ctx.stream));

  TimingPolicy timing;
  timing.repeats = ctx.quick ? 3 : 5;
  timing.min_batch_s = 2e-3;
  for (const Plan& plan : all) {
    ctx.progress->set_label(fmt::format("copy {}", models::to_string(plan.direction)));
    double best = 0;
    for (double size : plan.sizes) {
      const auto bytes = static_cast<std::size_t>(size);
      const bool d2d = plan.direction == models::CopyDirection::kDeviceToDevice;
      const std::size_t set = align256(bytes) * (d2d ? 2 : 1);
      if (set > pool.size()) {
        ctx.notes->push_back(fmt::format("copy {} of {} bytes skipped (not enough free memory)",
                                         models::to_string(plan.direction), bytes));
        ctx.progress->step();
        continue;
      }
      const int copies =
          std::max(1, std::min(rotation_count(static_cast<double>(set), ctx.l2_bytes),
                               static_cast<int>(pool.size() / set)));
      const double seconds = time_launches(
          ctx.stream,
          [&](int i) {
            std::byte* dev = pool.bytes() + static_cast<std::size_t>(i % copies) * set;
            switch (plan.direction) {
              case models::CopyDirection::kHostToDevice:
                CIRRUS_CUDA_CHECK(
                    cudaMemcpyAsync(dev, host.get(), bytes, cudaMemcpyHostToDevice, ctx.stream));
                break;
              case models::CopyDirection::kDeviceToHost:
                CIRRUS_CUDA_CHECK(
                    cudaMemcpyAsync(host.get(), dev, bytes, cudaMemcpyDeviceToHost, ctx.stream));
                break;
              case models::CopyDirection::kDeviceToDevice:
                CIRRUS_CUDA_CHECK(cudaMemcpyAsync(dev + align256(bytes), dev, bytes,
                                                  cudaMemcpyDeviceToDevice, ctx.stream));
                break;
            }
          },
          timing);
      models::HostCopyPoint c;
      c.direction = plan.direction;
      c.bytes = static_cast<std::int64_t>(bytes);
      c.seconds = round_significant(seconds);
      c.gbps = round_significant(size / c.seconds / 1e9);
      best = std::max(best, c.gbps);
      profile.host_copy.push_back(c);
      ctx.progress->step();
    }
    ctx.say(fmt::format("copy {}: best {:.1f} GB/s", models::to_string(plan.direction), best));
  }
}

}  // namespace cirrus::calibrate
