// libFuzzer target for the calibration profile reader (calibrate/profile_io.hpp): a profile
// either reads and writes back, or is refused with InputError. Seed corpus:
// tests/fuzz/corpus/profile/ (the public profiles' heads, a test fixture).
//
//   cmake --preset fuzz && cmake --build build/fuzz --target profile_fuzz
//   build/fuzz/tests/profile_fuzz tests/fuzz/corpus/profile
#include "calibrate/profile_io.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return cirrus::fuzz::read_or_refuse(data, size, [](const std::string& text) {
    using namespace cirrus::calibrate;
    (void)parse_profile(format_profile(parse_profile(text, "fuzz.json")), "fuzz-again.json");
  });
}
