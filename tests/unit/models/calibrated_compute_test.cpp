// models/compute/compute_model.hpp with a calibration profile: covered kernels take the measured
// rate, uncovered ones fall back to the roofline and are counted, and a whole single-GPU step is
// `calibrated` only when every kernel came from the profile.
#include <catch2/catch.hpp>
#include <cmath>
#include <memory>

#include "models/compute/compute_model.hpp"
#include "models/compute/efficiency.hpp"
#include "models/step/simulate.hpp"

namespace {

using namespace cirrus::models;

// A synthetic profile whose every table runs at `fraction` of the GPU's bf16 peak (GEMMs and
// attention) or HBM bandwidth (memory kernels), on a grid dense enough (a factor of 2 in each
// coordinate) to cover every kernel of a small transformer step.
Profile uniform_profile(const GpuSpec& gpu, double fraction) {
  Profile p;
  p.device.gpu = gpu.id;
  const double rate = gpu.peak_bf16 * fraction;
  for (int lm = 4; lm <= 18; ++lm) {
    for (int ln = 4; ln <= 18; ++ln) {
      for (int lk = 4; lk <= 18; ++lk) {
        GemmPoint g;
        g.dtype = Precision::kBf16;
        g.m = 1LL << lm;
        g.n = 1LL << ln;
        g.k = 1LL << lk;
        const double flops = 2.0 * std::ldexp(1.0, lm + ln + lk);
        g.seconds = flops / rate;
        g.tflops = rate / 1e12;
        p.gemm.push_back(g);
      }
    }
  }
  for (int lb = 0; lb <= 5; ++lb) {
    for (int lh = 2; lh <= 7; ++lh) {
      for (int ls = 8; ls <= 15; ++ls) {
        for (int ld : {6, 7}) {
          AttentionPoint a;
          a.dtype = Precision::kBf16;
          a.causal = true;
          a.batch = 1LL << lb;
          a.heads = 1LL << lh;
          a.seq = 1LL << ls;
          a.head_dim = 1LL << ld;
          const auto b = static_cast<double>(a.batch), h = static_cast<double>(a.heads),
                     s = static_cast<double>(a.seq), d = static_cast<double>(a.head_dim);
          a.fwd_s = attention_flops(AttentionPass::kForward, true, b, h, s, d) / rate;
          a.bwd_s = attention_flops(AttentionPass::kBackward, true, b, h, s, d) / rate;
          p.attention.push_back(a);
        }
      }
    }
  }
  for (auto kind : {MemoryKernel::kCopy, MemoryKernel::kElementwise, MemoryKernel::kLayerNorm,
                    MemoryKernel::kSoftmax, MemoryKernel::kAdam}) {
    for (int lb = 10; lb <= 40; lb += 2) {
      MemoryPoint m;
      m.kind = kind;
      m.bytes = 1LL << lb;
      m.gbps = gpu.memory_bw * fraction / 1e9;
      m.seconds = static_cast<double>(m.bytes) / (gpu.memory_bw * fraction);
      p.memory.push_back(m);
    }
  }
  return p;
}

StepInput one_gpu_step() {
  StepInput in;
  in.model = *find_model("llama3-8b");
  in.model.layers = 4;  // an 8B model with fewer layers, as the measured dataset has
  in.training.global_batch = 2;
  in.training.precision = Precision::kBf16;
  in.cluster.node = *find_node("dgx-h100");
  in.cluster.node.gpus = 1;
  in.cluster.nodes = 1;
  in.strategy.micro_batch = 2;
  in.strategy.recompute = Recompute::kNone;
  return in;
}

}  // namespace

TEST_CASE("a covered GEMM takes the profile's measured rate", "[models][calibration]") {
  const GpuSpec gpu = find_node("dgx-h100")->gpu;
  Profile p;
  p.device.gpu = gpu.id;
  GemmPoint g;
  g.m = 4096;
  g.n = 4096;
  g.k = 4096;
  g.tflops = 600;
  g.seconds = 2.0 * 4096.0 * 4096.0 * 4096.0 / 600e12;
  p.gemm.push_back(g);
  const ProfileLookup lookup(p);
  const ComputeModel cm(gpu, Precision::kBf16, &lookup);
  // Exact hit: 2 x 4096^3 = 1.374e11 FLOPs at 600 TFLOP/s = 229.1 us, plus the launch gap.
  const Op op = gemm("fc", 4096, 4096, 4096, 1, 2);
  CHECK(cm.seconds(op) ==
        Approx(2.0 * 4096.0 * 4096.0 * 4096.0 / 600e12 + defaults::kKernelGapSeconds));
  CHECK(cm.measured_kernels() == 1);
  CHECK(cm.fallback_kernels() == 0);
  CHECK(cm.calibrated());

  // 64 x 64 x 64 is far outside the measured range: the roofline answers and says so.
  const ComputeModel plain(gpu, Precision::kBf16);
  const Op small = gemm("tiny", 64, 64, 64, 1, 2);
  CHECK(cm.seconds(small) == Approx(plain.seconds(small)));
  CHECK(cm.fallback_kernels() == 1);
  CHECK_FALSE(cm.calibrated());
  CHECK_FALSE(plain.calibrated());  // no profile: never calibrated
}

TEST_CASE("memory kernels read the curve of their kind, chosen by name", "[models][calibration]") {
  CHECK(memory_kind_for("optimizer") == MemoryKernel::kAdam);
  CHECK(memory_kind_for("norm1_bwd") == MemoryKernel::kLayerNorm);
  CHECK(memory_kind_for("scale_mask_softmax") == MemoryKernel::kSoftmax);
  CHECK(memory_kind_for("cross_entropy") == MemoryKernel::kSoftmax);
  CHECK(memory_kind_for("embedding_lookup") == MemoryKernel::kCopy);
  CHECK(memory_kind_for("bias_dropout_add1") == MemoryKernel::kElementwise);

  const GpuSpec gpu = find_node("dgx-h100")->gpu;
  Profile p;
  p.device.gpu = gpu.id;
  for (auto [kind, gbps] :
       {std::pair{MemoryKernel::kAdam, 1000.0}, std::pair{MemoryKernel::kLayerNorm, 2500.0}}) {
    for (std::int64_t bytes : {1LL << 20, 1LL << 30}) {
      MemoryPoint m;
      m.kind = kind;
      m.bytes = bytes;
      m.gbps = gbps;
      m.seconds = static_cast<double>(bytes) / (gbps * 1e9);
      p.memory.push_back(m);
    }
  }
  const ProfileLookup lookup(p);
  const ComputeModel cm(gpu, Precision::kBf16, &lookup);
  // 2^25 bytes (32 MiB) at 1000 GB/s = 33.55 us for the optimizer; at 2500 GB/s = 13.42 us
  // for a norm: the same size, two curves.
  const double bytes = std::ldexp(1.0, 25);
  CHECK(cm.seconds(memory_op("optimizer", bytes)) ==
        Approx(bytes / 1000e9 + defaults::kKernelGapSeconds));
  CHECK(cm.seconds(memory_op("norm2", bytes)) ==
        Approx(bytes / 2500e9 + defaults::kKernelGapSeconds));
  // No softmax curve: that kernel falls back.
  const ComputeModel plain(gpu, Precision::kBf16);
  CHECK(cm.seconds(memory_op("softmax_bwd", bytes)) ==
        Approx(plain.seconds(memory_op("softmax_bwd", bytes))));
  CHECK(cm.fallback_kernels() == 1);
}

TEST_CASE("a single-GPU step fully covered by a profile is calibrated and scales with it",
          "[models][calibration]") {
  StepInput in = one_gpu_step();
  const StepResult datasheet = simulate_step(in);
  REQUIRE(datasheet.feasible);
  CHECK_FALSE(datasheet.calibrated);

  const GpuSpec& gpu = in.cluster.node.gpu;
  in.profile = std::make_shared<const ProfileLookup>(uniform_profile(gpu, 0.6));
  const StepResult fast = simulate_step(in);
  REQUIRE(fast.feasible);
  CHECK(fast.calibrated);
  in.profile = std::make_shared<const ProfileLookup>(uniform_profile(gpu, 0.3));
  const StepResult slow = simulate_step(in);
  CHECK(slow.calibrated);
  // Every kernel runs at half the rate, so the step (kernel gaps aside, a few us each against
  // kernels of hundreds of us) takes twice as long.
  CHECK(slow.step_time_s / fast.step_time_s == Approx(2.0).epsilon(0.03));
  CHECK(slow.step_time_s / fast.step_time_s < 2.0);
  // The profile's rate differs from the datasheet defaults, so the prediction moves.
  CHECK(std::fabs(fast.step_time_s - datasheet.step_time_s) / datasheet.step_time_s > 0.01);
  bool said = false;
  for (const auto& a : fast.assumptions) said |= a.find("calibration profile") != std::string::npos;
  CHECK(said);
}

TEST_CASE("a multi-GPU step is not calibrated while its collectives are the tuner's",
          "[models][calibration]") {
  StepInput in = one_gpu_step();
  in.cluster.node = *find_node("dgx-h100");
  in.strategy.tp = 8;
  in.profile = std::make_shared<const ProfileLookup>(uniform_profile(in.cluster.node.gpu, 0.6));
  const StepResult r = simulate_step(in);
  REQUIRE(r.feasible);
  CHECK_FALSE(r.calibrated);
}

namespace {

// Adds measured busbw curves (1 KiB to 4 GiB) of every collective kind over `ranks` GPUs of
// one node at `busbw` bytes/s.
void add_collectives(Profile& p, int ranks, double busbw) {
  for (auto op : {CollectiveKind::kAllReduce, CollectiveKind::kAllGather,
                  CollectiveKind::kReduceScatter, CollectiveKind::kAllToAll}) {
    for (int lb = 10; lb <= 32; lb += 2) {
      CollectivePoint c;
      c.op = op;
      c.ranks = ranks;
      c.nodes = 1;
      c.bytes = 1LL << lb;
      c.busbw_gbs = busbw / 1e9;
      c.algbw_gbs = c.busbw_gbs / bus_factor(op, ranks);
      c.time_us = static_cast<double>(c.bytes) / (c.algbw_gbs * 1e9) * 1e6;
      p.collectives.push_back(c);
    }
  }
}

}  // namespace

TEST_CASE("a tensor-parallel step whose collectives the profile measured is calibrated",
          "[models][calibration]") {
  StepInput in = one_gpu_step();
  in.cluster.node = *find_node("dgx-h100");
  in.strategy.tp = 8;
  in.strategy.sequence_parallel = true;
  const GpuSpec& gpu = in.cluster.node.gpu;
  Profile fast_net = uniform_profile(gpu, 0.6);
  add_collectives(fast_net, 8, 360e9);
  Profile slow_net = uniform_profile(gpu, 0.6);
  add_collectives(slow_net, 8, 90e9);
  in.profile = std::make_shared<const ProfileLookup>(fast_net);
  const StepResult fast = simulate_step(in);
  REQUIRE(fast.feasible);
  CHECK(fast.calibrated);
  in.profile = std::make_shared<const ProfileLookup>(slow_net);
  const StepResult slow = simulate_step(in);
  CHECK(slow.calibrated);
  // A quarter of the bus bandwidth: the exposed TP communication takes four times as long
  // (no overlap: every collective is on the critical path, its time bus bytes / busbw).
  REQUIRE(fast.breakdown.tp_comm > 0);
  CHECK(slow.breakdown.tp_comm / fast.breakdown.tp_comm == Approx(4.0).epsilon(0.05));
  CHECK(slow.breakdown.compute == Approx(fast.breakdown.compute).epsilon(1e-9));
}
