#pragma once
// What every libFuzzer target of tests/fuzz/ shares: the input as text, and the rule that a
// reader either reads it or throws cirrus::InputError. Any other exception, a crash, a hang or a
// sanitizer report is a bug (scripts/fuzz_smoke.sh runs every target, as CI does).
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/input_error.hpp"

namespace cirrus::fuzz {

template <class Read>
int read_or_refuse(const std::uint8_t* data, std::size_t size, Read&& read) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    read(text);
  } catch (const cirrus::InputError&) {
    // Bad input, reported properly: the expected outcome for most inputs.
  }
  return 0;
}

}  // namespace cirrus::fuzz
