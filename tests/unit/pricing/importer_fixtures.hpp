#pragma once
// What the importer tests share: fixture paths under tests/data/pricing/, fixture files read
// the way the CLI reads them, inline files and instance lookups.
#include <catch2/catch.hpp>
#include <functional>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "common/input_error.hpp"
#include "pricing/importers.hpp"

namespace cirrus::pricing::testing {

// tests/data/pricing/NAME (NAME may start with a subfolder, e.g. "real_like/...").
inline std::string pricing_data(const std::string& name) {
  return std::string(CIRRUS_SOURCE_DIR) + "/tests/data/pricing/" + name;
}

// The named fixtures of tests/data/pricing/DIR, read as the CLI reads input files.
inline std::vector<InputFile> pricing_files(std::initializer_list<std::string> names,
                                            const std::string& dir = "") {
  std::vector<std::string> paths;
  for (const auto& n : names) paths.push_back(pricing_data(dir + n));
  return read_input_files(paths);
}

inline InputFile inline_file(std::string name, std::string text) {
  return InputFile{std::move(name), std::move(text)};
}

// The instance with this id, or nullptr.
inline const Instance* find_instance(const Catalog& c, const std::string& id) {
  for (const Instance& in : c.instances) {
    if (in.id == id) return &in;
  }
  return nullptr;
}

// `f` must throw an InputError naming `file` (CONTRACT.md's `cirrus: FILE: ...`) and saying
// `words`.
inline void require_input_error(const std::function<void()>& f, const std::string& file,
                                const std::string& words) {
  try {
    f();
    FAIL("expected an InputError");
  } catch (const InputError& e) {
    CHECK_THAT(e.file(), Catch::Contains(file));
    CHECK_THAT(std::string(e.what()), Catch::Contains(words));
  }
}

}  // namespace cirrus::pricing::testing
