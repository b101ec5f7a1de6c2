#pragma once
// Edits a JSON document given as text at a JSON pointer ("/strategy/tp"), for the tests that
// break one field of a valid fixture and check the error names it.
#include <nlohmann/json.hpp>
#include <string>

namespace cirrus::testing {

// `text` with the value at `pointer` replaced (or added), as text.
inline std::string with_value(const std::string& text, const std::string& pointer,
                              const nlohmann::json& value) {
  nlohmann::json j = nlohmann::json::parse(text);
  j[nlohmann::json::json_pointer(pointer)] = value;
  return j.dump();
}

// `text` without the key at `pointer`, as text.
inline std::string without_key(const std::string& text, const std::string& pointer) {
  nlohmann::json j = nlohmann::json::parse(text);
  const nlohmann::json::json_pointer p(pointer);
  j[p.parent_pointer()].erase(p.back());
  return j.dump();
}

}  // namespace cirrus::testing
