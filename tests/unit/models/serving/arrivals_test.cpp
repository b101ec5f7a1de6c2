// The seeded draws behind synthetic arrivals: their moments against the distributions' own, and
// the same requests for the same seed.
#include <catch2/catch.hpp>
#include <cmath>

#include "models/serving/arrivals.hpp"

using namespace cirrus;
using namespace cirrus::models;

namespace {

struct Moments {
  double mean = 0, cv = 0;
};

template <class Draw>
Moments moments(int n, Draw draw) {
  double sum = 0, sq = 0;
  for (int i = 0; i < n; ++i) {
    const double x = draw();
    sum += x;
    sq += x * x;
  }
  const double mean = sum / n;
  return {mean, std::sqrt(sq / n - mean * mean) / mean};
}

}  // namespace

TEST_CASE("exponential and gamma inter-arrival times have the asked mean and cv", "[serving]") {
  Rng rng(1);
  const Moments e = moments(400000, [&] { return draw_exponential(rng, 4.0); });
  CHECK(e.mean == Approx(0.25).epsilon(0.01));
  CHECK(e.cv == Approx(1.0).epsilon(0.01));
  // Gamma with mean 1/rate and cv: shape 1/cv^2, scale 1/(shape rate).
  for (const double cv : {0.5, 2.0, 4.0}) {
    const double shape = 1 / (cv * cv);
    const Moments g = moments(400000, [&] { return draw_gamma(rng, shape, 1.0 / (shape * 4.0)); });
    INFO("cv " << cv);
    CHECK(g.mean == Approx(0.25).epsilon(0.02));
    CHECK(g.cv == Approx(cv).epsilon(0.03));
  }
}

TEST_CASE("length distributions: fixed, uniform in range, lognormal around its median",
          "[serving]") {
  Rng rng(2);
  LengthDist u;
  u.kind = LengthKind::kUniform;
  u.min = 10;
  u.max = 20;
  int lo = 100, hi = 0;
  double sum = 0;
  for (int i = 0; i < 100000; ++i) {
    const int x = draw_length(rng, u);
    lo = std::min(lo, x);
    hi = std::max(hi, x);
    sum += x;
  }
  CHECK(lo == 10);
  CHECK(hi == 20);
  CHECK(sum / 100000 == Approx(15).epsilon(0.01));
  LengthDist l;
  l.kind = LengthKind::kLognormal;
  l.median = 500;
  l.sigma = 1;
  l.max = 2000;
  int below = 0, capped = 0;
  for (int i = 0; i < 100000; ++i) {
    const int x = draw_length(rng, l);
    if (x < 500) ++below;
    if (x == 2000) ++capped;
    CHECK(x >= 1);
    CHECK(x <= 2000);
  }
  CHECK(below / 100000.0 == Approx(0.5).epsilon(0.02));
  // P(exp(z) >= 4) = P(z >= ln 4 = 1.386) = 0.0829.
  CHECK(capped / 100000.0 == Approx(0.0829).epsilon(0.05));
}

TEST_CASE("synthetic requests: sorted, counted or cut at a duration, seeded", "[serving]") {
  ArrivalSpec a;
  a.kind = ArrivalKind::kGamma;
  a.rate_per_s = 100;
  a.cv = 2;
  a.duration_s = 50;
  LengthDist in, out;
  in.value = 100;
  out.kind = LengthKind::kUniform;
  out.min = 1;
  out.max = 50;
  const auto r = synthetic_requests(a, in, out, 5);
  CHECK(static_cast<double>(r.size()) == Approx(5000).epsilon(0.1));
  for (std::size_t i = 1; i < r.size(); ++i) CHECK(r[i - 1].arrival <= r[i].arrival);
  CHECK(r.back().arrival.seconds() <= 50);
  const auto again = synthetic_requests(a, in, out, 5);
  REQUIRE(again.size() == r.size());
  CHECK(again.back().arrival == r.back().arrival);
  CHECK(again[17].output_len == r[17].output_len);
  // Another length distribution leaves the arrival times as they were.
  in.kind = LengthKind::kUniform;
  in.min = 1;
  in.max = 9;
  const auto other = synthetic_requests(a, in, out, 5);
  CHECK(other.back().arrival == r.back().arrival);
  CHECK(other[17].output_len == r[17].output_len);
}
