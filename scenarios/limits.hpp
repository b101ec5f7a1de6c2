#pragma once
// The scenario loader's bounds on what a scenario (and a config.json it names) may give.
#include <cstddef>
#include <cstdint>

namespace cirrus::scenarios {

// Upper bounds (docs/CONTRACT.md, "Limits"): every product the simulator forms stays free of
// overflow (GPUs = gpus x nodes as an int, ffn = 4 x hidden as a long, micro-batches as an int)
// and every configuration stays small enough to answer in bounded memory and time, far above
// any real cluster or model (the largest published runs: 16k-100k GPUs, 126 layers, 16M tokens
// per step, 1M-token contexts).
inline constexpr std::int64_t kMaxSize = std::int64_t{1} << 30;
inline constexpr std::int64_t kMaxGpusPerNode = 1024;
inline constexpr std::int64_t kMaxNodes = std::int64_t{1} << 16;
inline constexpr std::int64_t kMaxGlobalBatch = std::int64_t{1} << 24;
inline constexpr std::int64_t kMaxLayers = std::int64_t{1} << 14;
inline constexpr std::size_t kMaxNameBytes =
    256;  // a scenario's name, as tables and reports print it
inline constexpr std::int64_t kMaxSeqLen = std::int64_t{1} << 24;
inline constexpr double kMaxTokens = 1e16;
inline constexpr double kMaxGBytePerS = 1e5;  // a link, per GPU or NIC: 100 TB/s
inline constexpr double kMaxGbitPerS = 1e6;
inline constexpr double kMinBandwidth = 1e-3;
inline constexpr double kMaxLatencyUs = 1e5;  // 0.1 s: beyond that no fabric is meant
inline constexpr double kMaxOversubscription = 1e3;

}  // namespace cirrus::scenarios
