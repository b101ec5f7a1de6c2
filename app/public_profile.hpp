#pragma once
// The public calibration profiles cirrus ships (calibrate/profiles/public/: Microsoft Vidur's
// measurements on A100 80GB and H100 80GB DGX nodes, calibrate/import_vidur.hpp) and the
// default each GPU gets from them when a scenario names no profile of its own:
//   - a100-sxm-80gb and h100-sxm: their own profile;
//   - a GPU whose compute twin (GpuSpec::compute_twin) has one: the twin's, scaled to it
//     (models/compute/profile_scaling.hpp): h200-sxm, h100-96gb-500w and h800-sxm from the H100,
//     a100-sxm-40gb from the A100 80GB;
//   - every other GPU: none (datasheet figures).
// The profile's collectives were measured on the twin's DGX node; they are kept only when the
// cluster's node has the same scale-up (kind and per-GPU bandwidth) as that DGX, so an H800's
// 200 GB/s NVLink never reads an H100's 450 GB/s curves.
//
// The files are found through source_path (app/paths.hpp: $CIRRUS_SOURCE_ROOT, else the
// installed or source tree), read once per process and indexed once per (GPU, collectives kept);
// safe to call from several threads. A shipped file that is missing means no default; one that is
// malformed is the profile reader's InputError.
#include <memory>
#include <string>

#include "models/compute/profile.hpp"
#include "models/hardware/hardware.hpp"

namespace cirrus::app {

// The default profile for a node of `node`'s type; null when its GPU has none.
std::shared_ptr<const models::ProfileLookup> public_profile(const models::NodeSpec& node);

}  // namespace cirrus::app
