#pragma once
// The profile file: JSON read with strict validation and written deterministically.
//
// Layout (version 1; every key is always written, tables one row per line):
//   {"cirrus_profile": 1,
//    "device": {"name", "gpu", "count", "sm_count", "compute_capability", "sm_clock_mhz",
//               "memory_clock_mhz", "memory_bytes", "l2_bytes"},
//    "versions": {"driver", "cuda_driver", "cuda_runtime", "cublas", "cudnn", "nccl"},
//    "date": "2026-11-20T10:00:00Z", "mode": "full" | "quick" | "import",
//    "source": {"name", "url", "commit", "date", "licence", "measured"},   (optional)
//    "scaled": {"from_gpu", "compute", "memory"},                          (optional)
//    "notes": ["..."],
//    "gemm": [{"dtype", "m", "n", "k", "batch", "seconds", "tflops"}],
//    "attention": [{"impl", "dtype", "causal", "batch", "heads", "seq", "head_dim", "fwd_s",
//                   "bwd_s"}],
//    "memory": [{"kind", "bytes", "seconds", "gbps"}],
//    "host_copy": [{"direction", "bytes", "seconds", "gbps"}],
//    "collectives": [{"op", "ranks", "nodes", "bytes", "time_us", "algbw_gbs", "busbw_gbs",
//                     "source": "calibrate" | "nccl-tests" | "public"}],
//    "fits": [{"family", "key", "alpha_s", "rate", "rms_rel_error", "points", "x_min",
//              "x_max"}]}
// "source" is written only for imported public measurements (Profile::source) and "scaled"
// only for a profile derived for a compute twin (Profile::scaled): measured profiles, and
// profiles written before these blocks existed, have neither and read as before.
// Units are in the key names (seconds, microseconds, GB/s of 1e9 bytes); models/compute/profile.hpp
// says what each row means. Reading rejects unknown keys, wrong types, non-positive sizes and
// times, and derived columns that disagree with the measured ones (tflops with seconds, gbps
// with bytes and seconds, algbw and busbw with time), each as an InputError naming the file
// and the JSON path. A file written by format_profile reads back to the same bytes.
#include <string>

#include "models/compute/profile.hpp"

namespace cirrus::calibrate {

// The current UTC time as a profile's `date` ("2026-12-02T14:05:09Z").
std::string utc_now();

inline constexpr int kProfileVersion = 1;

models::Profile parse_profile(const std::string& text, const std::string& file);
models::Profile read_profile(const std::string& path);  // IoError if it cannot be read

std::string format_profile(const models::Profile& profile);
// Atomic: a reader never sees half a profile (common/atomic_write.hpp).
void write_profile(const std::string& path, const models::Profile& profile);

// Rounds a measured figure to `digits` significant digits, so profiles stay readable and
// diff-friendly; the tables are far noisier than that.
double round_significant(double value, int digits = 6);

}  // namespace cirrus::calibrate
