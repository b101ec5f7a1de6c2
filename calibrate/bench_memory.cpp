// The memory-bound stage: the kinds of kernel a training step runs between its GEMMs, over
// sizes from 1 MB to 4 GB moved. Sizes count the bytes a kernel must move once (reads plus
// writes), the convention of the simulator's memory ops.
#include <fmt/format.h>
#include <algorithm>
#include <iterator>
#include <vector>

#include "calibrate/bench.hpp"
#include "calibrate/cuda_util.hpp"
#include "calibrate/memory_kernels.hpp"
#include "calibrate/profile_io.hpp"

namespace cirrus::calibrate {
namespace {

std::vector<double> sizes(bool quick) {
  std::vector<double> out;
  const double step = quick ? 4.0 : 2.0;
  const double top = quick ? 1073741824.0 : 4294967296.0;
  for (double s = 1048576.0; s <= top; s *= step) out.push_back(s);
  return out;
}

constexpr models::MemoryKernel kKinds[] = {
    models::MemoryKernel::kCopy, models::MemoryKernel::kElementwise,
    models::MemoryKernel::kLayerNorm, models::MemoryKernel::kSoftmax, models::MemoryKernel::kAdam};

}  // namespace

int memory_units(const BenchContext& ctx) {
  return static_cast<int>(sizes(ctx.quick).size() * std::size(kKinds));
}

void bench_memory(BenchContext& ctx, models::Profile& profile) {
  // One pool, big enough for the largest case or a rotation of small ones.
  std::size_t largest = 0;
  for (auto kind : kKinds)
    largest = std::max(largest, make_memory_case(kind, sizes(ctx.quick).back()).allocated);
  const double pool_bytes =
      std::min(static_cast<double>(largest) + 4.0 * ctx.l2_bytes, ctx.usable_bytes());
  DeviceBuffer pool(static_cast<std::size_t>(pool_bytes));
  // All positive: Adam's second moment must stay so, and no other kernel minds.
  fill_random(pool.get(), pool.size() / 4, Fill::kFloat, 0x51edu, ctx.stream, 1.0f, true);
  CIRRUS_CUDA_CHECK(cudaStreamSynchronize(ctx.stream));

  TimingPolicy timing;
  timing.repeats = ctx.quick ? 3 : 5;
  timing.min_batch_s = 1e-3;
  for (auto kind : kKinds) {
    ctx.progress->set_label(fmt::format("memory {}", models::to_string(kind)));
    double best = 0;
    int skipped = 0;
    for (double target : sizes(ctx.quick)) {
      const MemoryCase c = make_memory_case(kind, target);
      const std::size_t set = align256(c.allocated);
      if (set > pool.size()) {
        ++skipped;
        ctx.progress->step();
        continue;
      }
      const int copies =
          std::max(1, std::min(rotation_count(static_cast<double>(set), ctx.l2_bytes),
                               static_cast<int>(pool.size() / set)));
      const double seconds = time_launches(
          ctx.stream,
          [&](int i) {
            launch_memory_case(c, pool.bytes() + static_cast<std::size_t>(i % copies) * set,
                               ctx.props.multiProcessorCount, ctx.stream);
          },
          timing);
      models::MemoryPoint m;
      m.kind = kind;
      m.bytes = c.moved;
      m.seconds = round_significant(seconds);
      m.gbps = round_significant(static_cast<double>(c.moved) / m.seconds / 1e9);
      best = std::max(best, m.gbps);
      profile.memory.push_back(m);
      ctx.progress->step();
    }
    if (skipped > 0) {
      ctx.notes->push_back(fmt::format("memory {}: {} sizes skipped (not enough free memory)",
                                       models::to_string(kind), skipped));
    }
    ctx.say(fmt::format("memory {}: best {:.0f} GB/s", models::to_string(kind), best));
  }
}

}  // namespace cirrus::calibrate
