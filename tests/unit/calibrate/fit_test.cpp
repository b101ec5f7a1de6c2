// calibrate/fit.hpp: the latency-bandwidth fitter recovers known parameters from synthetic
// points, exact and noisy, and fit_profile groups a profile's tables as documented.
#include "calibrate/fit.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

namespace {

using cirrus::calibrate::fit_latency_rate;
using cirrus::calibrate::fit_profile;
using cirrus::calibrate::Sample;
using cirrus::models::FitFamily;

std::vector<Sample> line(double alpha, double rate, int lo_log2, int hi_log2,
                         double (*noise)(int) = nullptr) {
  std::vector<Sample> s;
  for (int e = lo_log2; e <= hi_log2; ++e) {
    const double x = std::ldexp(1.0, e);
    const double t = (alpha + x / rate) * (noise ? noise(e) : 1.0);
    s.push_back({x, t});
  }
  return s;
}

}  // namespace

TEST_CASE("the fitter recovers latency and rate from exact points", "[calibrate]") {
  // An NVLink all-reduce-like curve: 12 us latency, 360 GB/s, 1 KB to 4 GB.
  const auto f = fit_latency_rate(line(12e-6, 360e9, 10, 32));
  REQUIRE(f);
  CHECK(f->alpha_s == Approx(12e-6).epsilon(1e-9));
  CHECK(f->rate == Approx(360e9).epsilon(1e-9));
  CHECK(f->rms_rel_error == Approx(0).margin(1e-12));
  CHECK(f->points == 23);
  CHECK(f->x_min == 1024);
  CHECK(f->x_max == std::ldexp(1.0, 32));
  // The curve it stands for: seconds(x) = alpha + x / rate.
  CHECK(f->seconds(1e9) == Approx(12e-6 + 1e9 / 360e9));
}

TEST_CASE("the fitter is close under +-3% multiplicative noise", "[calibrate]") {
  // A GEMM-like curve in FLOPs: 8 us of fixed cost, 720 TFLOP/s sustained.
  auto noise = [](int e) { return e % 2 == 0 ? 1.03 : 0.97; };
  const auto f = fit_latency_rate(line(8e-6, 720e12, 28, 46, noise));
  REQUIRE(f);
  CHECK(f->alpha_s == Approx(8e-6).epsilon(0.05));
  CHECK(f->rate == Approx(720e12).epsilon(0.05));
  CHECK(f->rms_rel_error == Approx(0.03).epsilon(0.1));
  // As a saturating efficiency against a 989 TFLOP/s peak: half its ceiling at alpha x rate.
  const double ceiling = f->rate / 989e12;
  const double half = f->alpha_s * f->rate;
  CHECK(half / f->seconds(half) / 989e12 == Approx(ceiling / 2).epsilon(1e-9));
}

TEST_CASE("a negative latency is refitted through the origin", "[calibrate]") {
  // Pure bandwidth with a slight super-linearity would give alpha < 0 unconstrained.
  std::vector<Sample> s;
  for (int e = 20; e <= 30; ++e) {
    const double x = std::ldexp(1.0, e);
    s.push_back({x, x / 2e12 * (1.0 - 0.02 * (30 - e) / 10.0)});
  }
  const auto f = fit_latency_rate(s);
  REQUIRE(f);
  CHECK(f->alpha_s == 0);
  CHECK(f->rate == Approx(2e12).epsilon(0.03));
}

TEST_CASE("the fitter refuses what it cannot fit", "[calibrate]") {
  CHECK_FALSE(fit_latency_rate({}));
  CHECK_FALSE(fit_latency_rate({{1e6, 1e-3}}));
  CHECK_FALSE(fit_latency_rate({{1e6, 1e-3}, {1e6, 2e-3}}));           // one distinct x
  CHECK_FALSE(fit_latency_rate({{1e6, 1e-3}, {0, 1e-3}, {2e6, -1}}));  // unusable samples
  // Time falling with size: no positive rate.
  CHECK_FALSE(fit_latency_rate({{1e6, 2e-3}, {2e6, 1e-3}, {4e6, 0.5e-3}}));
}

TEST_CASE("fit_profile fits each group of a profile", "[calibrate]") {
  cirrus::models::Profile p;
  for (int e : {10, 11, 12, 13}) {
    cirrus::models::GemmPoint g;
    g.dtype = cirrus::models::Precision::kBf16;
    g.m = g.n = g.k = std::int64_t{1} << e;
    const double flops = 2.0 * std::ldexp(1.0, 3 * e);
    g.seconds = 5e-6 + flops / 700e12;
    g.tflops = flops / g.seconds / 1e12;
    p.gemm.push_back(g);
  }
  for (int e : {20, 24, 28}) {
    for (auto source : {cirrus::models::CollectiveSource::kCalibrate,
                        cirrus::models::CollectiveSource::kNcclTests}) {
      cirrus::models::CollectivePoint c;
      c.op = cirrus::models::CollectiveKind::kAllGather;
      c.ranks = 8;
      c.nodes = 1;
      c.bytes = std::int64_t{1} << e;
      // The imported curve is twice as fast: the fit must follow it alone.
      const double rate = source == cirrus::models::CollectiveSource::kNcclTests ? 300e9 : 150e9;
      c.time_us = (10e-6 + static_cast<double>(c.bytes) * 7.0 / 8.0 / rate) * 1e6;
      c.source = source;
      p.collectives.push_back(c);
    }
  }
  const auto fits = fit_profile(p);
  REQUIRE(fits.size() == 2);
  CHECK(fits[0].family == FitFamily::kGemm);
  CHECK(fits[0].key == "bf16");
  CHECK(fits[0].alpha_s == Approx(5e-6).epsilon(1e-5));  // stored to six digits
  CHECK(fits[0].rate == Approx(700e12).epsilon(1e-5));
  CHECK(fits[1].family == FitFamily::kCollective);
  CHECK(fits[1].key == "all_gather/8/1");
  CHECK(fits[1].points == 3);
  CHECK(fits[1].alpha_s == Approx(10e-6).epsilon(1e-5));
  CHECK(fits[1].rate == Approx(300e9).epsilon(1e-5));  // the asymptotic busbw
}
