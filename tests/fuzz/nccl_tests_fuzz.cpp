// libFuzzer target for the nccl-tests log reader (calibrate/nccl_tests.hpp): a log either reads
// and merges into a profile that writes, or is refused with InputError naming it. Seed corpus:
// tests/fuzz/corpus/nccl_tests/ (test logs, CRLF line ends, a truncated table, absurd sizes).
//
//   cmake --preset fuzz && cmake --build build/fuzz --target nccl_tests_fuzz
//   build/fuzz/tests/nccl_tests_fuzz tests/fuzz/corpus/nccl_tests
#include "calibrate/nccl_tests.hpp"
#include "calibrate/profile_io.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return cirrus::fuzz::read_or_refuse(data, size, [](const std::string& text) {
    using namespace cirrus::calibrate;
    const NcclTestsLog log = parse_nccl_tests_log(text, "fuzz.log");
    cirrus::models::Profile profile;
    profile.date = "2026-01-01";
    profile.mode = "import";
    merge_nccl_tests(profile, {log});
    if (profile.device.name.empty()) profile.device.name = "unknown";
    (void)parse_profile(format_profile(profile), "fuzz-again.json");
  });
}
