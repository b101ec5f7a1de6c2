// libFuzzer target for the request-trace reader (scenarios/trace_reader.hpp): a trace either
// reads into requests sorted by arrival with positive lengths, or is refused with InputError
// naming it. The first byte picks the format (even: Azure CSV, odd: Mooncake JSONL) and the
// scales. Seed corpus: tests/fuzz/corpus/trace/ (Azure and Mooncake rows, unsorted and negative
// times, zero lengths, broken lines, CRLF, hash_ids good and bad: those files start with the
// mode byte "1").
//
//   cmake --preset fuzz && cmake --build build/fuzz --target trace_fuzz
//   build/fuzz/tests/trace_fuzz tests/fuzz/corpus/trace
#include <cstdlib>

#include "scenarios/trace_reader.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t mode = data[0];
  return cirrus::fuzz::read_or_refuse(data + 1, size - 1, [mode](const std::string& text) {
    cirrus::models::TraceSpec spec;
    spec.path = "fuzz.trace";
    spec.format = (mode & 1) != 0 ? cirrus::models::TraceFormat::kMooncakeJsonl
                                  : cirrus::models::TraceFormat::kAzureCsv;
    spec.time_scale = (mode & 2) != 0 ? 1e-3 : 1.0;
    spec.length_scale = (mode & 4) != 0 ? 0.01 : 1.0;
    const auto t = cirrus::scenarios::parse_trace(text, spec.path, spec);
    for (std::size_t i = 0; i < t.requests.size(); ++i) {
      const auto& r = t.requests[i];
      if (r.input_len < 1 || r.output_len < 1) std::abort();
      if (i > 0 && r.arrival < t.requests[i - 1].arrival) std::abort();
    }
    // Prefix ids, when any row has them, are one list per request.
    if (!t.prefix.empty() && t.prefix.requests() != t.requests.size()) std::abort();
  });
}
