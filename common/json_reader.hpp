#pragma once
// Typed, path-aware reading of JSON input. Every accessor that fails throws an InputError
// naming the file, the dotted JSON path and what was expected, so loaders never format errors
// by hand. Unknown keys are rejected with a did-you-mean suggestion.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace cirrus {

class JsonNode {
 public:
  JsonNode(const nlohmann::json& value, std::string file, std::string path);

  // Parses text, turning syntax errors into an InputError with the byte offset.
  static nlohmann::json parse(const std::string& text, const std::string& file);

  const nlohmann::json& raw() const { return *value_; }
  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }

  bool is_object() const { return value_->is_object(); }
  bool is_array() const { return value_->is_array(); }
  bool is_string() const { return value_->is_string(); }
  bool is_number() const { return value_->is_number(); }
  bool is_null() const { return value_->is_null(); }

  bool has(const std::string& key) const;
  JsonNode at(const std::string& key) const;  // required member
  std::optional<JsonNode> find(const std::string& key) const;
  std::size_t size() const;  // of an array
  JsonNode index(std::size_t i) const;
  std::vector<std::string> keys() const;  // of an object, in document order

  double as_number() const;
  double as_positive() const;      // > 0
  double as_non_negative() const;  // >= 0
  // A number in [min, max] (a limit of docs/CONTRACT.md), else "a number from min to max" with
  // `unit` after the range when given (" GB/s").
  double as_number_in(double min, double max, const std::string& unit = "") const;
  std::int64_t as_int() const;  // integral number
  std::int64_t as_positive_int() const;
  bool as_bool() const;
  std::string as_string() const;
  std::string as_enum(const std::vector<std::string>& allowed) const;

  // Throws for any key not in `allowed`, suggesting the closest allowed key.
  void check_keys(const std::vector<std::string>& allowed) const;

  [[noreturn]] void fail(const std::string& expected) const;
  // A short description of the value for "found ..." ("a string \"abc\"", "the number -3").
  std::string describe() const;

  std::string child_path(const std::string& key) const;

 private:
  const nlohmann::json* value_;
  std::string file_;
  std::string path_;
};

}  // namespace cirrus
