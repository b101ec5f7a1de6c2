#pragma once
// Curve fitting for profiles: one latency-bandwidth line per group of measurements,
//   seconds(x) = alpha + x / rate,
// with x the work of a row (FLOPs for GEMMs and attention, bytes for memory kernels and
// copies, bus bytes for collectives; models/compute/profile.hpp, CurveFit). The line is fitted by
// weighted least squares on relative error, min sum ((alpha + x/rate - t) / t)^2, which is
// linear in (alpha, 1/rate): small sizes, where alpha shows, weigh as much as large ones,
// where rate shows. alpha is kept >= 0 (a negative latency is refitted through the origin).
#include <optional>
#include <vector>

#include "models/compute/profile.hpp"

namespace cirrus::calibrate {

struct Sample {
  double x = 0;        // work: FLOPs or bytes
  double seconds = 0;  // measured time
};

// nullopt with fewer than 2 usable samples (x > 0, seconds > 0) or fewer than 2 distinct x,
// or when the data give no positive rate. The returned fit has family and key unset.
std::optional<models::CurveFit> fit_latency_rate(const std::vector<Sample>& samples);

// One fit per group of a profile's tables: GEMMs per dtype, attention per
// (impl, dtype, causal, pass), memory kernels per kind, copies per direction, collectives per
// (op, ranks, nodes) on the source the lookups use (nccl-tests when present). Groups that
// cannot be fitted are left out. Deterministic order: table order, then first appearance.
std::vector<models::CurveFit> fit_profile(const models::Profile& profile);

}  // namespace cirrus::calibrate
