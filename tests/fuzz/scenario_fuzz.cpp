// libFuzzer target for the scenario loader: any input either parses (and then passes or fails
// check_pinned) or throws InputError. Seed corpus: tests/fuzz/corpus/scenario/ (copies of
// scenarios/examples/ and hostile scales: huge batches, node counts, rates and latencies).
//
//   cmake --preset fuzz && cmake --build build/fuzz --target scenario_fuzz
//   build/fuzz/tests/scenario_fuzz tests/fuzz/corpus/scenario
#include "scenarios/scenario.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return cirrus::fuzz::read_or_refuse(data, size, [](const std::string& text) {
    const auto s = cirrus::scenarios::parse_scenario(text, "fuzz.json");
    (void)s.open_choices();
    cirrus::scenarios::check_pinned(s);
  });
}
