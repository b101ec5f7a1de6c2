#pragma once
// One inference request as the fleet simulation sees it: when it arrives and how many tokens it
// brings and asks for. Times are integer picoseconds (sim/time.hpp), so that the event order and
// every rerun are exact.
#include <cstdint>

#include "sim/time.hpp"

namespace cirrus::models {

// The most requests one run simulates (a scenario's `requests`, a trace's rows, a duration's
// expected arrivals): 2^25, above the largest public trace (Azure's 2024 conversation week,
// 27.3M rows), and small enough that the per-request records stay under a few GiB.
inline constexpr std::int64_t kMaxRequests = std::int64_t{1} << 25;
// The latest arrival a run accepts, in seconds: the engine's integer picoseconds reach about
// 106 days; half of it leaves room for the requests to finish.
inline constexpr double kMaxArrivalSeconds = 53.0 * 86400.0;
// The longest input or output of one request: 2^24 tokens, the scenario's sequence-length bound.
inline constexpr std::int64_t kMaxRequestTokens = std::int64_t{1} << 24;

struct Request {
  std::uint32_t id = 0;  // index in arrival order
  sim::Time arrival;
  std::int32_t input_len = 0;   // prompt tokens, >= 1
  std::int32_t output_len = 0;  // tokens to generate, >= 1 (the first comes with the prefill)
};

}  // namespace cirrus::models
