// models/compute/profile.hpp: the lookups the simulator calls, checked against interpolations done
// by hand, and the coverage rules (nullopt outside the measured range, except GEMMs larger
// than measured: gemm_held_test.cpp).
#include "models/compute/profile.hpp"

#include <catch2/catch.hpp>
#include <cmath>

namespace {

using cirrus::models::AttentionImpl;
using cirrus::models::AttentionPass;
using cirrus::models::AttentionPoint;
using cirrus::models::CollectiveKind;
using cirrus::models::CollectivePoint;
using cirrus::models::CollectiveSource;
using cirrus::models::CopyDirection;
using cirrus::models::GemmPoint;
using cirrus::models::HostCopyPoint;
using cirrus::models::MemoryKernel;
using cirrus::models::MemoryPoint;
using cirrus::models::Precision;
using cirrus::models::Profile;
using cirrus::models::ProfileLookup;

constexpr double kMiB = 1024.0 * 1024.0;

GemmPoint gemm_at(Precision p, std::int64_t m, std::int64_t n, std::int64_t k, double flops_per_s,
                  std::int64_t batch = 1) {
  GemmPoint g;
  g.dtype = p;
  g.m = m;
  g.n = n;
  g.k = k;
  g.batch = batch;
  const double flops = 2.0 * static_cast<double>(m * n * k * batch);
  g.seconds = flops / flops_per_s;
  g.tflops = flops_per_s / 1e12;
  return g;
}

MemoryPoint memory_at(MemoryKernel kind, double bytes, double bytes_per_s) {
  MemoryPoint m;
  m.kind = kind;
  m.bytes = static_cast<std::int64_t>(bytes);
  m.seconds = bytes / bytes_per_s;
  m.gbps = bytes_per_s / 1e9;
  return m;
}

CollectivePoint allreduce_at(double bytes, double busbw, CollectiveSource source, int ranks = 8,
                             int nodes = 1) {
  CollectivePoint c;
  c.op = CollectiveKind::kAllReduce;
  c.ranks = ranks;
  c.nodes = nodes;
  c.bytes = static_cast<std::int64_t>(bytes);
  const double factor = 2.0 * (ranks - 1) / ranks;
  c.time_us = bytes * factor / busbw * 1e6;
  c.algbw_gbs = bytes / (c.time_us * 1e3);
  c.busbw_gbs = busbw / 1e9;
  c.source = source;
  return c;
}

}  // namespace

TEST_CASE("size curves interpolate linearly in log2 of the size", "[calibrate]") {
  Profile p;
  p.memory.push_back(memory_at(MemoryKernel::kCopy, 1 * kMiB, 1e12));
  p.memory.push_back(memory_at(MemoryKernel::kCopy, 4 * kMiB, 2e12));
  const ProfileLookup lookup(p);

  // 2 MiB is half way between 1 and 4 MiB in log2: (1 + 2) / 2.
  CHECK(lookup.memory_bandwidth(MemoryKernel::kCopy, 2 * kMiB).value() == Approx(1.5e12));
  // 1.5 MiB: log2(1.5) = 0.585 of the 2 octaves -> 1e12 + 0.2925 x 1e12.
  CHECK(lookup.memory_bandwidth(MemoryKernel::kCopy, 1.5 * kMiB).value() ==
        Approx(1e12 + std::log2(1.5) / 2.0 * 1e12));
  // The measured sizes themselves, exactly.
  CHECK(lookup.memory_bandwidth(MemoryKernel::kCopy, 4 * kMiB).value() == Approx(2e12));
  CHECK(lookup.memory_bandwidth(MemoryKernel::kCopy, 1 * kMiB).value() == Approx(1e12));
  // Outside the range, or a kernel never measured: nothing.
  CHECK_FALSE(lookup.memory_bandwidth(MemoryKernel::kCopy, 8 * kMiB).has_value());
  CHECK_FALSE(lookup.memory_bandwidth(MemoryKernel::kCopy, 0.5 * kMiB).has_value());
  CHECK_FALSE(lookup.memory_bandwidth(MemoryKernel::kAdam, 2 * kMiB).has_value());
  CHECK_FALSE(lookup.covers_memory(MemoryKernel::kCopy, 0));
  CHECK(lookup.covers_memory(MemoryKernel::kCopy, 3 * kMiB));
}

TEST_CASE("repeated sizes are averaged before interpolating", "[calibrate]") {
  Profile p;
  p.memory.push_back(memory_at(MemoryKernel::kSoftmax, 1 * kMiB, 1e12));
  p.memory.push_back(memory_at(MemoryKernel::kSoftmax, 1 * kMiB, 3e12));
  p.memory.push_back(memory_at(MemoryKernel::kSoftmax, 2 * kMiB, 4e12));
  const ProfileLookup lookup(p);
  CHECK(lookup.memory_bandwidth(MemoryKernel::kSoftmax, 1 * kMiB).value() == Approx(2e12));
  CHECK(lookup.memory_bandwidth(MemoryKernel::kSoftmax, std::sqrt(2.0) * kMiB).value() ==
        Approx(3e12));
}

TEST_CASE("host copies are looked up per direction", "[calibrate]") {
  Profile p;
  for (auto [dir, bw] : {std::pair{CopyDirection::kHostToDevice, 50e9},
                         std::pair{CopyDirection::kDeviceToHost, 40e9}}) {
    for (double bytes : {1 * kMiB, 1024 * kMiB}) {
      HostCopyPoint c;
      c.direction = dir;
      c.bytes = static_cast<std::int64_t>(bytes);
      c.seconds = bytes / bw;
      c.gbps = bw / 1e9;
      p.host_copy.push_back(c);
    }
  }
  const ProfileLookup lookup(p);
  CHECK(lookup.host_copy_bandwidth(CopyDirection::kHostToDevice, 32 * kMiB).value() ==
        Approx(50e9));
  CHECK(lookup.host_copy_bandwidth(CopyDirection::kDeviceToHost, 32 * kMiB).value() ==
        Approx(40e9));
  CHECK_FALSE(lookup.host_copy_bandwidth(CopyDirection::kDeviceToDevice, 32 * kMiB));
}

TEST_CASE("GEMM efficiency: inverse-distance weighting in log2 shape space", "[calibrate]") {
  Profile p;
  p.gemm.push_back(gemm_at(Precision::kBf16, 1024, 1024, 1024, 400e12));  // (10, 10, 10, 0)
  p.gemm.push_back(gemm_at(Precision::kBf16, 2048, 1024, 1024, 600e12));  // (11, 10, 10, 0)
  const ProfileLookup lookup(p);
  const double peak = 1000e12;

  // Half way in log2 m: equal distances, equal weights.
  CHECK(
      lookup.gemm_efficiency(Precision::kBf16, std::pow(2.0, 10.5), 1024, 1024, 1, peak).value() ==
      Approx(0.5));
  // A quarter of the way: distances 0.25 and 0.75, weights 16 and 16/9:
  // (16 x 400 + 16/9 x 600) / (16 + 16/9) = 420 TFLOP/s.
  CHECK(lookup.gemm_flops_per_s(Precision::kBf16, std::pow(2.0, 10.25), 1024, 1024, 1).value() ==
        Approx(420e12));
  // An exact hit returns the point itself.
  CHECK(lookup.gemm_efficiency(Precision::kBf16, 2048, 1024, 1024, 1, peak).value() == Approx(0.6));
  // Below the measured box, beyond its batch, or another dtype: not covered.
  CHECK_FALSE(lookup.gemm_efficiency(Precision::kBf16, 512, 1024, 1024, 1, peak));
  CHECK_FALSE(lookup.gemm_efficiency(Precision::kBf16, 1024, 512, 1024, 1, peak));
  CHECK_FALSE(lookup.gemm_efficiency(Precision::kBf16, 1024, 1024, 1024, 2, peak));
  CHECK_FALSE(lookup.gemm_efficiency(Precision::kFp16, 1024, 1024, 1024, 1, peak));
  // Beyond the measured maximum of m or n: the rate of the largest measured shape, held
  // (gemm_held_test.cpp has the rules).
  CHECK(lookup.gemm_efficiency(Precision::kBf16, 1024, 2048, 1024, 1, peak).value() == Approx(0.4));
  CHECK(lookup.gemm_efficiency(Precision::kBf16, 4096, 1024, 1024, 1, peak).value() == Approx(0.6));
  CHECK_FALSE(lookup.gemm_efficiency(Precision::kBf16, 1024, 1024, 1024, 1, 0));
  CHECK(lookup.covers_gemm(Precision::kBf16, 1500, 1024, 1024, 1));
}

TEST_CASE("GEMM lookups refuse a query far from every measured shape", "[calibrate]") {
  Profile p;
  p.gemm.push_back(gemm_at(Precision::kBf16, 1024, 1024, 1024, 400e12));
  p.gemm.push_back(gemm_at(Precision::kBf16, 16384, 1024, 1024, 700e12));
  const ProfileLookup lookup(p);
  // m = 4096 is inside [1024, 16384] but 2 octaves from both points (> 1.5).
  CHECK_FALSE(lookup.gemm_flops_per_s(Precision::kBf16, 4096, 1024, 1024, 1).has_value());
  // m = 2048 is 1 octave away: answered, weights 1 and 1/9.
  CHECK(lookup.gemm_flops_per_s(Precision::kBf16, 2048, 1024, 1024, 1).value() ==
        Approx((400e12 + 700e12 / 9.0) / (1.0 + 1.0 / 9.0)));
}

TEST_CASE("IDW uses the four nearest points only", "[calibrate]") {
  ProfileLookup::Scatter s;
  // Five points on a line at distances 1..5 from the query at 0 (1-D for clarity).
  for (int i = 1; i <= 5; ++i) {
    s.coords.push_back({static_cast<double>(i)});
    s.values.push_back(i == 5 ? 1e9 : 10.0 * i);
  }
  s.lo = {0.0};
  s.hi = {5.0};
  // The far point (value 1e9) is not among the 4 nearest; and the nearest must be within
  // 1.5, which it is (distance 1).
  const double w1 = 1, w2 = 0.25, w3 = 1.0 / 9, w4 = 1.0 / 16;
  const double expected = (w1 * 10 + w2 * 20 + w3 * 30 + w4 * 40) / (w1 + w2 + w3 + w4);
  CHECK(ProfileLookup::interpolate(s, {0.0}).value() == Approx(expected));
}

TEST_CASE("attention FLOPs follow the layer program's convention", "[calibrate]") {
  using cirrus::models::attention_flops;
  const double fwd = 4.0 * 1024 * 1024 * 64;
  CHECK(attention_flops(AttentionPass::kForward, false, 1, 1, 1024, 64) == Approx(fwd));
  // Causal at 1024 tokens: 8 blocks of 128, (8 + 1) / 16 of them computed.
  CHECK(attention_flops(AttentionPass::kForward, true, 1, 1, 1024, 64) == Approx(fwd * 9 / 16));
  CHECK(attention_flops(AttentionPass::kBackward, false, 2, 3, 1024, 64) == Approx(2.5 * 6 * fwd));
  // Below one block the whole square is computed.
  CHECK(attention_flops(AttentionPass::kForward, true, 1, 1, 64, 64) == Approx(4.0 * 64 * 64 * 64));
}

TEST_CASE("attention efficiency per implementation, pass and causality", "[calibrate]") {
  using cirrus::models::attention_flops;
  Profile p;
  AttentionPoint a;
  a.impl = AttentionImpl::kFused;
  a.dtype = Precision::kBf16;
  a.causal = true;
  a.batch = 8;
  a.heads = 16;
  a.seq = 2048;
  a.head_dim = 128;
  a.fwd_s = 0.5e-3;
  a.bwd_s = 1.5e-3;
  p.attention.push_back(a);
  const ProfileLookup lookup(p);
  const double peak = 989e12;
  const double fwd = attention_flops(AttentionPass::kForward, true, 8, 16, 2048, 128);
  CHECK(lookup
            .attention_efficiency(AttentionImpl::kFused, AttentionPass::kForward, Precision::kBf16,
                                  true, 8, 16, 2048, 128, peak)
            .value() == Approx(fwd / 0.5e-3 / peak));
  CHECK(lookup
            .attention_efficiency(AttentionImpl::kFused, AttentionPass::kBackward, Precision::kBf16,
                                  true, 8, 16, 2048, 128, peak)
            .value() == Approx(2.5 * fwd / 1.5e-3 / peak));
  // batch x heads is the coordinate: 16 x 8 reads the same point.
  CHECK(lookup.covers_attention(AttentionImpl::kFused, AttentionPass::kForward, Precision::kBf16,
                                true, 16, 8, 2048, 128));
  CHECK_FALSE(lookup.covers_attention(AttentionImpl::kUnfused, AttentionPass::kForward,
                                      Precision::kBf16, true, 8, 16, 2048, 128));
  CHECK_FALSE(lookup.covers_attention(AttentionImpl::kFused, AttentionPass::kForward,
                                      Precision::kBf16, false, 8, 16, 2048, 128));
  CHECK_FALSE(lookup.covers_attention(AttentionImpl::kFused, AttentionPass::kForward,
                                      Precision::kBf16, true, 8, 16, 4096, 128));
}

TEST_CASE("collective bus bandwidth: log-size interpolation per (op, ranks, nodes)",
          "[calibrate]") {
  Profile p;
  p.collectives.push_back(allreduce_at(1 * kMiB, 36e9, CollectiveSource::kCalibrate));
  p.collectives.push_back(allreduce_at(4 * kMiB, 90e9, CollectiveSource::kCalibrate));
  {
    const ProfileLookup lookup(p);
    CHECK(lookup.collective_busbw(CollectiveKind::kAllReduce, 8, 1, 2 * kMiB).value() ==
          Approx(63e9));
    // nccl-tests' time: bytes x 2(n-1)/n / busbw.
    CHECK(lookup.collective_seconds(CollectiveKind::kAllReduce, 8, 1, 2 * kMiB).value() ==
          Approx(2 * kMiB * 1.75 / 63e9));
    CHECK_FALSE(lookup.collective_busbw(CollectiveKind::kAllReduce, 8, 1, 8 * kMiB));
    CHECK_FALSE(lookup.collective_busbw(CollectiveKind::kAllReduce, 16, 2, 2 * kMiB));
    CHECK_FALSE(lookup.collective_busbw(CollectiveKind::kAllGather, 8, 1, 2 * kMiB));
    CHECK(lookup.covers_collective(CollectiveKind::kAllReduce, 8, 1, 1 * kMiB));
  }
  // nccl-tests points for the same key replace ours wholesale (no mixing of two curves).
  p.collectives.push_back(allreduce_at(1 * kMiB, 40e9, CollectiveSource::kNcclTests));
  p.collectives.push_back(allreduce_at(16 * kMiB, 120e9, CollectiveSource::kNcclTests));
  const ProfileLookup lookup(p);
  CHECK(lookup.collective_busbw(CollectiveKind::kAllReduce, 8, 1, 4 * kMiB).value() ==
        Approx(80e9));  // half way (2 of 4 octaves) from 40 to 120
}

TEST_CASE("device names map to cirrus GPU and node presets", "[calibrate]") {
  using cirrus::models::gpu_preset_for_device;
  using cirrus::models::node_preset_for_gpu;
  CHECK(gpu_preset_for_device("NVIDIA H100 80GB HBM3") == "h100-sxm");
  CHECK(gpu_preset_for_device("NVIDIA H100 PCIe") == "h100-pcie");
  CHECK(gpu_preset_for_device("NVIDIA H100 NVL") == "");
  CHECK(gpu_preset_for_device("NVIDIA H200") == "h200-sxm");
  CHECK(gpu_preset_for_device("NVIDIA A100-SXM4-80GB") == "a100-sxm-80gb");
  CHECK(gpu_preset_for_device("NVIDIA A100-SXM4-40GB") == "a100-sxm-40gb");
  CHECK(gpu_preset_for_device("NVIDIA A100 80GB PCIe") == "a100-pcie-80gb");
  CHECK(gpu_preset_for_device("NVIDIA L40S") == "l40s");
  CHECK(gpu_preset_for_device("NVIDIA L4") == "l4");
  CHECK(gpu_preset_for_device("NVIDIA A10G") == "a10g");
  CHECK(gpu_preset_for_device("NVIDIA A10") == "a10");
  CHECK(gpu_preset_for_device("Tesla V100-SXM2-32GB") == "v100-sxm-32gb");
  CHECK(gpu_preset_for_device("NVIDIA GeForce RTX 4090") == "");
  CHECK(node_preset_for_gpu("h100-sxm") == "dgx-h100");
  CHECK(node_preset_for_gpu("h200-sxm") == "dgx-h200");
  CHECK(node_preset_for_gpu("a100-sxm-80gb") == "dgx-a100-80gb");
  CHECK(node_preset_for_gpu("mi300x") == "");
}
