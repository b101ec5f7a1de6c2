// The collectives stage: NCCL over all local GPUs from one process (ncclCommInitAll), sized and
// reported as nccl-tests does (float data, sum; size = the nccl-tests "size" column; algbw =
// size / time, busbw = algbw x bus_factor), timed like nccl-tests on the host clock around
// batches of iterations after warm-up.
#include <fmt/format.h>
#include <nccl.h>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <iterator>
#include <vector>

#include "calibrate/bench.hpp"
#include "calibrate/cuda_util.hpp"
#include "calibrate/profile_io.hpp"
#include "models/network/collectives.hpp"

#define CIRRUS_NCCL_CHECK(call)                                                  \
  do {                                                                           \
    const ncclResult_t cirrus_status_ = (call);                                  \
    if (cirrus_status_ != ncclSuccess) {                                         \
      ::cirrus::calibrate::throw_call_error("NCCL", #call, __FILE__, __LINE__,   \
                                            ncclGetErrorString(cirrus_status_)); \
    }                                                                            \
  } while (0)

namespace cirrus::calibrate {
namespace {

using models::CollectiveKind;

constexpr CollectiveKind kOps[] = {CollectiveKind::kAllReduce,     CollectiveKind::kAllGather,
                                   CollectiveKind::kReduceScatter, CollectiveKind::kAllToAll,
                                   CollectiveKind::kBroadcast,     CollectiveKind::kSendRecv};

std::vector<double> sizes(bool quick) {
  std::vector<double> out;
  const double step = quick ? 4.0 : 2.0;
  const double top = quick ? 268435456.0 : 4294967296.0;
  for (double s = 1024.0; s <= top; s *= step) out.push_back(s);
  return out;
}

struct Rank {
  int device = 0;
  ncclComm_t comm = nullptr;
  cudaStream_t stream = nullptr;
  DeviceBuffer send, recv;
};

// Enqueues one collective of `bytes` (rounded down to whole floats per rank) on every rank.
void launch(CollectiveKind op, std::vector<Rank>& ranks, std::size_t count) {
  const int n = static_cast<int>(ranks.size());
  const std::size_t per_rank = count / static_cast<std::size_t>(n);
  CIRRUS_NCCL_CHECK(ncclGroupStart());
  for (int r = 0; r < n; ++r) {
    Rank& k = ranks[static_cast<std::size_t>(r)];
    float* send = static_cast<float*>(k.send.get());
    float* recv = static_cast<float*>(k.recv.get());
    switch (op) {
      case CollectiveKind::kAllReduce:
        CIRRUS_NCCL_CHECK(ncclAllReduce(send, recv, count, ncclFloat, ncclSum, k.comm, k.stream));
        break;
      case CollectiveKind::kAllGather:  // size = the gathered output
        CIRRUS_NCCL_CHECK(ncclAllGather(send, recv, per_rank, ncclFloat, k.comm, k.stream));
        break;
      case CollectiveKind::kReduceScatter:  // size = the input
        CIRRUS_NCCL_CHECK(
            ncclReduceScatter(send, recv, per_rank, ncclFloat, ncclSum, k.comm, k.stream));
        break;
      case CollectiveKind::kAllToAll:  // size = what each rank sends in all
        for (int p = 0; p < n; ++p) {
          const std::size_t offset = static_cast<std::size_t>(p) * per_rank;
          CIRRUS_NCCL_CHECK(ncclSend(send + offset, per_rank, ncclFloat, p, k.comm, k.stream));
          CIRRUS_NCCL_CHECK(ncclRecv(recv + offset, per_rank, ncclFloat, p, k.comm, k.stream));
        }
        break;
      case CollectiveKind::kBroadcast:
        CIRRUS_NCCL_CHECK(ncclBroadcast(send, recv, count, ncclFloat, 0, k.comm, k.stream));
        break;
      case CollectiveKind::kSendRecv:  // a ring: each rank sends to the next
        CIRRUS_NCCL_CHECK(ncclSend(send, count, ncclFloat, (r + 1) % n, k.comm, k.stream));
        CIRRUS_NCCL_CHECK(ncclRecv(recv, count, ncclFloat, (r + n - 1) % n, k.comm, k.stream));
        break;
    }
  }
  CIRRUS_NCCL_CHECK(ncclGroupEnd());
}

void sync_all(std::vector<Rank>& ranks) {
  for (Rank& r : ranks) {
    CIRRUS_CUDA_CHECK(cudaSetDevice(r.device));
    CIRRUS_CUDA_CHECK(cudaStreamSynchronize(r.stream));
  }
}

}  // namespace

int collective_units(const BenchContext& ctx, int devices) {
  return devices < 2 ? 0 : static_cast<int>(sizes(ctx.quick).size() * std::size(kOps));
}

void bench_collectives(BenchContext& ctx, models::Profile& profile, int devices) {
  if (devices < 2) {
    ctx.notes->push_back(fmt::format(
        "collectives: NCCL needs at least 2 GPUs, this machine has {}; none measured (import "
        "nccl-tests logs from a multi-GPU machine with `cirrus calibrate import-nccl-tests`)",
        devices));
    return;
  }
  const std::vector<double> all_sizes = sizes(ctx.quick);
  const auto top = static_cast<std::size_t>(all_sizes.back());
  std::vector<Rank> ranks(static_cast<std::size_t>(devices));
  std::vector<ncclComm_t> comms(static_cast<std::size_t>(devices));
  CIRRUS_NCCL_CHECK(ncclCommInitAll(comms.data(), devices, nullptr));
  struct CommGuard {
    std::vector<ncclComm_t>& c;
    ~CommGuard() {
      for (ncclComm_t x : c) ncclCommDestroy(x);
    }
  } comm_guard{comms};
  for (int d = 0; d < devices; ++d) {
    Rank& r = ranks[static_cast<std::size_t>(d)];
    r.device = d;
    r.comm = comms[static_cast<std::size_t>(d)];
    CIRRUS_CUDA_CHECK(cudaSetDevice(d));
    CIRRUS_CUDA_CHECK(cudaStreamCreateWithFlags(&r.stream, cudaStreamNonBlocking));
    r.send = DeviceBuffer(top);
    r.recv = DeviceBuffer(top);
    fill_random(r.send.get(), top / 4, Fill::kFloat, 1000u + static_cast<std::uint32_t>(d),
                r.stream);
  }
  struct StreamGuard {
    std::vector<Rank>& r;
    ~StreamGuard() {
      for (Rank& x : r) {
        cudaSetDevice(x.device);
        cudaStreamDestroy(x.stream);
      }
    }
  } stream_guard{ranks};
  sync_all(ranks);

  using Clock = std::chrono::steady_clock;
  const int repeats = ctx.quick ? 3 : 5;
  for (CollectiveKind op : kOps) {
    ctx.progress->set_label(fmt::format("nccl {}", models::to_string(op)));
    double best = 0;
    for (double size : all_sizes) {
      // nccl-tests rounds the element count down to a multiple of the rank count.
      std::size_t count = static_cast<std::size_t>(size) / 4;
      count -= count % static_cast<std::size_t>(devices);
      if (count == 0) {
        ctx.progress->step();
        continue;
      }
      const auto bytes = static_cast<std::int64_t>(count * 4);
      auto run = [&](int iterations) {
        const auto start = Clock::now();
        for (int i = 0; i < iterations; ++i) launch(op, ranks, count);
        sync_all(ranks);
        return std::chrono::duration<double>(Clock::now() - start).count() / iterations;
      };
      run(5);  // warm-up, as nccl-tests' default
      const double probe = std::max(run(1), 1e-7);
      const int iterations = static_cast<int>(std::clamp(std::ceil(0.02 / probe), 1.0, 1000.0));
      std::vector<double> samples;
      for (int r = 0; r < repeats; ++r) samples.push_back(run(iterations));
      const double seconds = median(samples);

      models::CollectivePoint c;
      c.op = op;
      c.ranks = devices;
      c.nodes = 1;
      c.bytes = bytes;
      c.time_us = round_significant(seconds * 1e6);
      c.algbw_gbs = round_significant(static_cast<double>(bytes) / (c.time_us * 1e3));
      c.busbw_gbs = round_significant(static_cast<double>(bytes) / (c.time_us * 1e3) *
                                      models::bus_factor(op, devices));
      c.source = models::CollectiveSource::kCalibrate;
      best = std::max(best, c.busbw_gbs);
      profile.collectives.push_back(c);
      ctx.progress->step();
    }
    ctx.say(fmt::format("nccl {} over {} GPUs: busbw up to {:.1f} GB/s", models::to_string(op),
                        devices, best));
  }
  CIRRUS_CUDA_CHECK(cudaSetDevice(ctx.device));
}

}  // namespace cirrus::calibrate
