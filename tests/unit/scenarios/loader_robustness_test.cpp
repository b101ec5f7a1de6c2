// The fuzz property (tests/fuzz/scenario_fuzz.cpp) in ordinary CI: seeded random mutations of
// the shipped examples either load (and pass or fail check_pinned) or throw InputError;
// nothing else escapes, and nothing crashes.
#include <catch2/catch.hpp>
#include <cstdint>
#include <exception>
#include <string>
#include <vector>

#include "common/input_error.hpp"
#include "common/read_file.hpp"
#include "common/rng.hpp"
#include "scenarios/scenario.hpp"

namespace {

std::vector<std::string> examples() {
  std::vector<std::string> texts;
  for (const char* name : {"gpt3-175b-p4de.json", "llama3-70b-h100.json", "llama2-7b-a100.json",
                           "llama3-70b-plan.json"}) {
    texts.push_back(
        cirrus::read_file(std::string(CIRRUS_SOURCE_DIR) + "/scenarios/examples/" + name));
  }
  return texts;
}

std::size_t below(cirrus::Rng& rng, std::size_t n) {
  return n == 0 ? 0 : static_cast<std::size_t>(rng.next() % n);
}

// Characters that steer mutations towards interesting JSON rather than only syntax errors.
constexpr char kInteresting[] = "{}[]\":,-0123456789.eE \\tfnua";

void mutate(std::string& text, cirrus::Rng& rng) {
  const std::size_t pos = below(rng, text.size());
  switch (rng.next() % 9) {
    case 0:  // flip one bit
      if (!text.empty()) text[pos] = static_cast<char>(text[pos] ^ (1 << (rng.next() % 8)));
      break;
    case 1:  // any byte
      if (!text.empty()) text[pos] = static_cast<char>(rng.next() & 0xff);
      break;
    case 2:  // a JSON-ish character
      if (!text.empty()) text[pos] = kInteresting[below(rng, sizeof(kInteresting) - 1)];
      break;
    case 3:  // truncate
      text.resize(pos);
      break;
    case 4:  // delete a run
      text.erase(pos, 1 + below(rng, 8));
      break;
    case 5:  // duplicate a run
      text.insert(pos, text.substr(pos, 1 + below(rng, 16)));
      break;
    case 6:  // insert a digit or a sign: sizes become 0, huge, negative or odd
      text.insert(pos, 1, "0123456789-"[below(rng, 11)]);
      break;
    default: {  // change the next digit: still valid JSON, so the checks behind parsing run
      const std::size_t digit = text.find_first_of("0123456789", pos);
      if (digit != std::string::npos) text[digit] = "0123456789"[below(rng, 10)];
      break;
    }
  }
}

}  // namespace

TEST_CASE("mutated scenarios load or throw InputError, nothing else", "[scenarios]") {
  const auto seeds = examples();
  cirrus::Rng rng(20260122);
  int loaded = 0;
  int refused = 0;
  for (int i = 0; i < 4000; ++i) {
    std::string text = seeds[static_cast<std::size_t>(i) % seeds.size()];
    const int mutations = 1 + static_cast<int>(rng.next() % 4);
    for (int m = 0; m < mutations; ++m) mutate(text, rng);
    try {
      const auto s = cirrus::scenarios::parse_scenario(text, "mutant.json");
      ++loaded;
      (void)s.open_choices();
      cirrus::scenarios::check_pinned(s);
    } catch (const cirrus::InputError& e) {
      ++refused;
      if (std::string(e.what()).find("mutant.json") == std::string::npos) {
        FAIL("an InputError without the file name: " << e.what());
      }
    } catch (const std::exception& e) {
      FAIL("mutant " << i << " threw something other than InputError: " << e.what() << "\n"
                     << text);
    }
  }
  // The mutations must exercise both sides, or the test proves little.
  INFO(loaded << " loaded, " << refused << " refused");
  CHECK(loaded > 150);
  CHECK(refused > 100);
}
