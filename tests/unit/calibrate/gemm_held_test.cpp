// models/compute/profile.hpp and models/compute/profile_scaling.hpp: GEMMs beyond the measured
// range hold the rate of the largest measured shape (and say so), bf16 queries read fp16 points,
// the label a result carries, and the profile derived for a compute twin. Expectations by hand.
#include <catch2/catch.hpp>
#include <cmath>
#include <stdexcept>

#include "calibrate/profile_io.hpp"
#include "models/compute/profile.hpp"
#include "models/compute/profile_scaling.hpp"
#include "models/hardware/hardware.hpp"

namespace {

using namespace cirrus::models;

GemmPoint gemm_at(Precision p, std::int64_t m, std::int64_t n, std::int64_t k, double tflops) {
  GemmPoint g;
  g.dtype = p;
  g.m = m;
  g.n = n;
  g.k = k;
  const double flops =
      2.0 * static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
  g.seconds = flops / (tflops * 1e12);
  g.tflops = tflops;
  return g;
}

// Two shapes: (n, k) = (1024, 1024) measured to m = 4096, (4096, 1024) measured to m = 16384.
Profile two_columns(Precision p = Precision::kFp16) {
  Profile pr;
  pr.gemm.push_back(gemm_at(p, 1024, 1024, 1024, 400));
  pr.gemm.push_back(gemm_at(p, 4096, 1024, 1024, 600));
  pr.gemm.push_back(gemm_at(p, 1024, 4096, 1024, 500));
  pr.gemm.push_back(gemm_at(p, 4096, 4096, 1024, 700));
  pr.gemm.push_back(gemm_at(p, 16384, 4096, 1024, 750));
  return pr;
}

}  // namespace

TEST_CASE("a GEMM beyond the measured M holds its own shape's largest-M rate", "[calibrate]") {
  const ProfileLookup lookup(two_columns());
  // m = 16384 at (1024, 1024): that column stops at 4096, so its 4096 point is at distance 0:
  // an exact hit, 600 TFLOP/s, held. (Without per-column caps the nearest point would be the
  // other column's 16384 at distance 2, and no answer.)
  const auto held = lookup.gemm_rate(Precision::kFp16, 16384, 1024, 1024, 1);
  REQUIRE(held);
  CHECK(held->flops_per_s == Approx(600e12));
  CHECK(held->extrapolated);
  // Far beyond every measurement: still held, never back to a datasheet ceiling.
  CHECK(lookup.gemm_rate(Precision::kFp16, 1 << 20, 1024, 1024, 1)->flops_per_s == Approx(600e12));
  CHECK(lookup.gemm_rate(Precision::kFp16, 65536, 4096, 1024, 1)->flops_per_s == Approx(750e12));
  // Inside the column's range: measured, not held.
  const auto in = lookup.gemm_rate(Precision::kFp16, 4096, 4096, 1024, 1);
  CHECK(in->flops_per_s == Approx(700e12));
  CHECK_FALSE(in->extrapolated);
  // Below the measured minimum: no answer.
  CHECK_FALSE(lookup.gemm_rate(Precision::kFp16, 512, 1024, 1024, 1));
  CHECK_FALSE(lookup.gemm_rate(Precision::kFp16, 4096, 512, 1024, 1));
}

TEST_CASE("a GEMM beyond the measured N or K is clamped to the table's maximum", "[calibrate]") {
  const ProfileLookup lookup(two_columns());
  // n = 16384 > 4096, the table's largest n: looked up at n = 4096 (exact: 700), held.
  const auto n = lookup.gemm_rate(Precision::kFp16, 4096, 16384, 1024, 1);
  REQUIRE(n);
  CHECK(n->flops_per_s == Approx(700e12));
  CHECK(n->extrapolated);
  // k = 8192 > 1024 and m beyond its column: (16384, 4096, 1024) exact at 750, held.
  CHECK(lookup.gemm_rate(Precision::kFp16, 32768, 4096, 8192, 1)->flops_per_s == Approx(750e12));
  // The existing entry point answers the same.
  CHECK(lookup.gemm_flops_per_s(Precision::kFp16, 4096, 16384, 1024, 1).value() == Approx(700e12));
}

TEST_CASE("bf16 GEMM queries read fp16 points when there are no bf16 ones", "[calibrate]") {
  const ProfileLookup fp16_only(two_columns(Precision::kFp16));
  CHECK(fp16_only.gemm_flops_per_s(Precision::kBf16, 4096, 4096, 1024, 1).value() ==
        Approx(700e12));
  CHECK_FALSE(fp16_only.gemm_flops_per_s(Precision::kFp8, 4096, 4096, 1024, 1));
  // With bf16 points of its own, a bf16 query reads those only.
  Profile both = two_columns(Precision::kFp16);
  both.gemm.push_back(gemm_at(Precision::kBf16, 4096, 4096, 1024, 650));
  const ProfileLookup mixed(both);
  CHECK(mixed.gemm_flops_per_s(Precision::kBf16, 4096, 4096, 1024, 1).value() == Approx(650e12));
  CHECK(mixed.gemm_flops_per_s(Precision::kFp16, 4096, 4096, 1024, 1).value() == Approx(700e12));
}

TEST_CASE("calibration labels name the profile and any scaling", "[calibrate]") {
  Profile measured;
  measured.device.name = "NVIDIA H100 80GB HBM3";
  measured.device.gpu = "h100-sxm";
  measured.date = "2026-11-20T10:00:00Z";
  CHECK(calibration_label(measured) == "profile (measured on NVIDIA H100 80GB HBM3, 2026-11-20)");
  CHECK(calibration_of(nullptr) == "datasheet");

  Profile pub = measured;
  pub.source = ProfileSource{"Vidur", "u", "c", "2024-11-19", "MIT", "m"};
  CHECK(calibration_label(pub) == "public profile (Vidur, H100, 2024-11)");
  const ProfileLookup lookup(pub);
  CHECK(lookup.label() == "public profile (Vidur, H100, 2024-11)");
  CHECK(calibration_of(&lookup) == lookup.label());

  // H200: HBM 4.8 / 3.35 TB/s = x1.43, same clock.
  const GpuSpec h100 = *find_gpu("h100-sxm");
  const Profile h200 = scaled_for(pub, h100, *find_gpu("h200-sxm"));
  CHECK(calibration_label(h200) ==
        "public profile (Vidur, H100, 2024-11), scaled to NVIDIA H200 SXM 141GB: HBM bandwidth "
        "x1.43");
  // The 500 W H100 96GB: HBM 2.4 / 3.35 = x0.716, clock x0.945.
  const Profile capped = scaled_for(pub, h100, *find_gpu("h100-96gb-500w"));
  CHECK(calibration_label(capped).find("HBM bandwidth x0.716, GEMM and attention rates x0.945") !=
        std::string::npos);
  // H800: nothing differs on the compute side.
  CHECK(calibration_label(scaled_for(pub, h100, *find_gpu("h800-sxm"))) ==
        "public profile (Vidur, H100, 2024-11), for NVIDIA H800 SXM5 80GB (same clock and HBM "
        "bandwidth)");
}

TEST_CASE("scaled_for scales compute by clock and memory by HBM, nothing else", "[calibrate]") {
  Profile p = two_columns(Precision::kFp16);
  p.device.gpu = "h100-sxm";
  MemoryPoint m;
  m.kind = MemoryKernel::kLayerNorm;
  m.bytes = 1 << 26;
  m.seconds = 1e-4;
  m.gbps = static_cast<double>(m.bytes) / m.seconds / 1e9;
  p.memory.push_back(m);
  HostCopyPoint h;
  h.direction = CopyDirection::kHostToDevice;
  h.bytes = 1 << 26;
  h.seconds = 2e-3;
  h.gbps = static_cast<double>(h.bytes) / h.seconds / 1e9;
  p.host_copy.push_back(h);
  CollectivePoint c;
  c.ranks = 8;
  c.bytes = 1 << 26;
  c.time_us = 300;
  p.collectives.push_back(c);
  CurveFit f;
  f.family = FitFamily::kMemory;
  f.alpha_s = 2e-6;
  f.rate = 1e12;
  p.fits.push_back(f);

  const GpuSpec h100 = *find_gpu("h100-sxm");
  GpuSpec target = *find_gpu("h200-sxm");
  target.sustained_clock = 0.9;  // a made-up power cap, to see the compute factor
  const Profile s = scaled_for(p, h100, target);
  CHECK(s.device.gpu == "h200-sxm");
  REQUIRE(s.scaled.has_value());
  CHECK(s.scaled->from_gpu == "h100-sxm");
  // GEMM: time / 0.9, rate x 0.9.
  CHECK(s.gemm[1].seconds == Approx(p.gemm[1].seconds / 0.9));
  CHECK(s.gemm[1].tflops == Approx(600 * 0.9));
  // Memory: HBM 4.8 / 3.35.
  const double hbm = 4.8 / 3.35;
  CHECK(s.memory[0].seconds == Approx(1e-4 / hbm));
  CHECK(s.memory[0].gbps == Approx(m.gbps * hbm));
  CHECK(s.fits[0].alpha_s == Approx(2e-6 / hbm));
  CHECK(s.fits[0].rate == Approx(1e12 * hbm));
  // Host copies and collectives: the twin's.
  CHECK(s.host_copy[0].seconds == h.seconds);
  CHECK(s.collectives[0].time_us == 300);
  CHECK(s.notes.back().find("NVIDIA H200 SXM 141GB") != std::string::npos);
  // The lookup reads the scaled rows.
  CHECK(ProfileLookup(s).gemm_flops_per_s(Precision::kBf16, 4096, 1024, 1024, 1).value() ==
        Approx(600e12 * 0.9));
  // A profile of another GPU is refused.
  CHECK_THROWS_AS(scaled_for(p, *find_gpu("a100-sxm-80gb"), target), std::invalid_argument);
}

TEST_CASE("the indexed GEMM lookup answers exactly as the exhaustive one", "[calibrate]") {
  // The shipped public profiles and a fixture with repeated points, over a grid of queries
  // inside, between and beyond the measured shapes (fractional sizes included).
  std::vector<Profile> profiles;
  for (const char* f : {"calibrate/profiles/public/vidur-a100-sxm-80gb.json",
                        "calibrate/profiles/public/vidur-h100-sxm.json"}) {
    profiles.push_back(cirrus::calibrate::read_profile(std::string(CIRRUS_SOURCE_DIR) + "/" + f));
  }
  Profile repeated = two_columns();
  repeated.gemm.push_back(gemm_at(Precision::kFp16, 4096, 1024, 1024, 500));
  repeated.gemm.push_back(gemm_at(Precision::kFp16, 4096, 1024, 1024, 550));
  profiles.push_back(repeated);
  int answered = 0, held = 0, compared = 0;
  for (const Profile& p : profiles) {
    const ProfileLookup lookup(p);
    for (double m = 1; m <= 131072; m *= 1.7) {
      for (double n = 512; n <= 131072; n *= 1.9) {
        for (double k = 512; k <= 65536; k *= 2.3) {
          const auto fast = lookup.gemm_rate(Precision::kBf16, m, n, k, 1);
          const auto slow = lookup.gemm_rate_exhaustive(Precision::kBf16, m, n, k, 1);
          ++compared;
          REQUIRE(fast.has_value() == slow.has_value());
          if (!fast) continue;
          ++answered;
          held += fast->extrapolated ? 1 : 0;
          CHECK(fast->flops_per_s == slow->flops_per_s);  // bit for bit
          CHECK(fast->extrapolated == slow->extrapolated);
        }
      }
    }
  }
  CHECK(compared > 3000);
  CHECK(answered > 500);  // the grid reaches inside the tables, not only around them
  CHECK(held > 100);
}
