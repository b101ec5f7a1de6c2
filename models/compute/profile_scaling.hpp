#pragma once
// A profile for a GPU that has none of its own, derived from its compute twin's
// (GpuSpec::compute_twin: same die, and the scaling the spec states): the H200, the H800 and
// the 96 GB H100 reuse an H100 SXM profile, the A100 SXM 40GB an A100 SXM 80GB one.
//
// What scales, and by what:
//   - GEMM and attention rates by target.sustained_clock / twin.sustained_clock (a power-capped
//     part runs its tensor cores slower; the same clock gives the same rate);
//   - memory-bound kernel bandwidths by target.memory_bw / twin.memory_bw (HBM3e against HBM3,
//     HBM2e against HBM2e of another width);
//   - nothing else: host copies, collectives and the device block stay the twin's, except
//     device.gpu, which names the target so that the profile is accepted for it. Whether the
//     twin's collectives describe the target's node is the caller's question (the H800's NVLink
//     is not the H100's): drop them there when they do not.
// The fits scale with their rows: seconds(x) = alpha / f + x / (rate f). The result records
// the factors in Profile::scaled, and a note says what was scaled, so calibration_label names
// the scaling in every result.
#include "models/compute/profile.hpp"
#include "models/hardware/hardware.hpp"

namespace cirrus::models {

// `profile` is the twin's (its device.gpu, when set, must be twin.id: std::invalid_argument
// otherwise, as for a twin with no memory bandwidth).
Profile scaled_for(const Profile& profile, const GpuSpec& twin, const GpuSpec& target);

}  // namespace cirrus::models
