#pragma once
// Plain-double units used across modules. Bytes and rates are doubles (a 4 GB message over
// 1e6 flows stays exact enough); simulated time is integer picoseconds (sim/time.hpp).
namespace cirrus {

inline constexpr double kKiB = 1024.0;
inline constexpr double kMiB = 1024.0 * kKiB;
inline constexpr double kGiB = 1024.0 * kMiB;
inline constexpr double kKB = 1e3;
inline constexpr double kMB = 1e6;
inline constexpr double kGB = 1e9;
inline constexpr double kTera = 1e12;
// Network rates on datasheets are in bits per second.
inline constexpr double kGbps = 1e9 / 8.0;  // bytes per second in one Gb/s

inline constexpr double kSecondsPerHour = 3600.0;
inline constexpr double kSecondsPerDay = 86400.0;

}  // namespace cirrus
