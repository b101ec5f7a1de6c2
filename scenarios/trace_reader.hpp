#pragma once
// Request traces replayed as arrivals (../shared/reference/formats.md, section (d)):
//   - the Azure LLM inference traces (Azure/AzurePublicDataset, 2023 and 2024): CSV with the
//     header TIMESTAMP,ContextTokens,GeneratedTokens, TIMESTAMP a UTC date and time
//     "YYYY-MM-DD HH:MM:SS[.f...]" with an optional "+00:00" (2024) and 0 to 9 fraction digits;
//   - Mooncake's traces (kvcache-ai/Mooncake, FAST'25): JSON lines {"timestamp" (ms),
//     "input_length", "output_length", "hash_ids" (optional: ids of the prompt's 512-token
//     blocks, equal leading ids for a shared prefix; models/serving/prefix.hpp)}.
// Arrivals are offsets from the trace's first request, times `time_scale`; lengths are times
// `length_scale`, rounded, at least 1.
//
// Refused, with an InputError naming the file and line: a missing or misnamed column, a time
// that is not a date (Azure) or is negative (Mooncake), a time earlier than the row before it
// (the traces are sorted; an unsorted one is a damaged file, not something to sort silently), a
// length that is not a positive integer (a request that generates no token was never served),
// hash_ids that are not an array of non-negative integers (at most one per 512 tokens of the
// longest prompt; ids past the prompt's blocks are ignored),
// and lengths or times beyond the bounds of request.hpp. The file is read with a bound of
// kMaxTraceBytes.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/serving/prefix.hpp"
#include "models/serving/request.hpp"
#include "models/serving/serving_spec.hpp"

namespace cirrus::scenarios {

using models::Request;
using models::TraceSpec;

// 2 GiB: the 2024 Azure week traces (16.8M and 27.3M rows of about 35 bytes) fit.
inline constexpr std::uint64_t kMaxTraceBytes = std::uint64_t{2} << 30;

struct TraceRequests {
  std::vector<Request> requests;  // in trace order, ids 0..n-1
  // The line of the request with the most input + output tokens (for the KV-cache check's
  // message); 0 when there is none.
  std::size_t largest_line = 0;
  // The rows' hash_ids (Mooncake), by request; empty when no row carries any.
  models::PrefixIds prefix;
};

// Reads `spec.path`. Stops after `max_requests` rows, or at the first arrival (after scaling)
// later than `duration_s`. IoError when the file cannot be read.
TraceRequests read_trace(const TraceSpec& spec, std::optional<std::int64_t> max_requests = {},
                         std::optional<double> duration_s = {});

// The same from text already read (`file` names it in errors): for the tests and the fuzzer.
TraceRequests parse_trace(std::string_view text, const std::string& file, const TraceSpec& spec,
                          std::optional<std::int64_t> max_requests = {},
                          std::optional<double> duration_s = {});

// "2023-11-16 18:17:03.9799600" or "2024-05-10 00:00:00.009930+00:00" as nanoseconds since
// 1970-01-01 UTC (a "Z" or another "+HH:MM"/"-HH:MM" offset is applied); nullopt when the text
// is not such a time or falls outside about 1685-2255 (64-bit nanoseconds).
std::optional<std::int64_t> parse_utc_nanoseconds(std::string_view text);

}  // namespace cirrus::scenarios
