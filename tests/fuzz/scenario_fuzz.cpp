// libFuzzer target for the scenario loader: any input either parses (and then passes or fails
// check_pinned) or throws InputError. Any other exception, a crash or a sanitizer report is a
// bug. Seed corpus: tests/fuzz/corpus/scenario/ (copies of scenarios/examples/).
//
//   cmake --preset fuzz && cmake --build build/fuzz --target scenario_fuzz
//   build/fuzz/tests/scenario_fuzz tests/fuzz/corpus/scenario
// (scripts/fuzz_smoke.sh runs every target for a minute, as CI does)
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/input_error.hpp"
#include "scenarios/scenario.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const auto s = cirrus::scenarios::parse_scenario(text, "fuzz.json");
    (void)s.open_choices();
    cirrus::scenarios::check_pinned(s);
  } catch (const cirrus::InputError&) {
    // Bad input, reported properly: the expected outcome for most inputs.
  }
  return 0;
}
