#pragma once
// Synthetic request streams, drawn from a seeded generator (common/rng.hpp) so that one seed
// gives the same requests on every platform:
//   - Poisson arrivals at `rate_per_s`: exponential inter-arrival times, -ln(1 - u) / rate;
//   - bursty arrivals: gamma inter-arrival times with mean 1 / rate and coefficient of
//     variation cv, i.e. shape k = 1 / cv^2 and scale 1 / (k rate) (cv 1 is Poisson; above 1,
//     bursts), drawn by Marsaglia and Tsang's method (ACM TOMS 26(3), 2000), with
//     gamma(k) = gamma(k + 1) u^(1/k) for k < 1;
//   - Poisson with a daily cycle: a non-homogeneous Poisson process of rate
//       lambda(t) = rate (1 + a cos(2 pi (t - 3600 peak_hour) / 86400)),  a = (p - 1) / (p + 1)
//     (p = peak_to_trough, so lambda's peak over its trough is (1 + a) / (1 - a) = p, and its mean
//     over a day is `rate`), drawn by thinning (Lewis and Shedler, Naval Research Logistics
//     Quarterly 26(3), 1979): candidates at the peak rate rate (1 + a), each kept with
//     probability lambda(t) / (rate (1 + a)), the coin from a fourth stream of the seed;
//   - offline: every request at time zero (the lengths are still drawn);
//   - input and output lengths from LengthDist (serving_spec.hpp); normals by Box-Muller.
// Arrival times, input lengths and output lengths come from three separate streams of the seed,
// so changing a length distribution leaves the arrival times as they were.
#include <cstdint>
#include <vector>

#include "common/rng.hpp"
#include "models/serving/request.hpp"
#include "models/serving/serving_spec.hpp"

namespace cirrus::models {

// The requests of a synthetic ArrivalSpec (kind poisson, gamma or offline), in arrival order,
// ids 0..n-1. `requests` or `duration_s` says how many (the scenario loader checks that one is
// set and both are in range; offline takes only a count); std::invalid_argument for a trace spec,
// neither bound, or an offline spec without a count.
std::vector<Request> synthetic_requests(const ArrivalSpec& arrivals, const LengthDist& input,
                                        const LengthDist& output, std::uint64_t seed);

// Stream `number` of `seed`: the seed hashed with the stream's number (1 arrival times, 2 input
// lengths, 3 output lengths, 4 prefix groups).
Rng stream(std::uint64_t seed, std::uint64_t number);

// One draw of each kind, exposed for the tests of their moments.
std::int32_t draw_length(Rng& rng, const LengthDist& dist);
double draw_exponential(Rng& rng, double rate);
double draw_gamma(Rng& rng, double shape, double scale);
double draw_normal(Rng& rng);  // standard normal
// The daily cycle's rate at `t_s` seconds (formula above).
double cycle_rate(double rate_per_s, const DailyCycle& cycle, double t_s);

}  // namespace cirrus::models
