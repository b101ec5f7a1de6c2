#include "common/json_reader.hpp"

#include <fmt/format.h>
#include <cmath>

#include "common/did_you_mean.hpp"
#include "common/excerpt.hpp"
#include "common/input_error.hpp"

namespace cirrus {

JsonNode::JsonNode(const nlohmann::json& value, std::string file, std::string path)
    : value_(&value), file_(std::move(file)), path_(std::move(path)) {}

nlohmann::json JsonNode::parse(const std::string& text, const std::string& file) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // nlohmann's message begins with "[json.exception.parse_error.101] parse error at line 3..."
    std::string what = e.what();
    const auto pos = what.find("] ");
    if (pos != std::string::npos) what = what.substr(pos + 2);
    throw InputError(file, "", "well-formed JSON", what);
  } catch (const nlohmann::json::exception& e) {
    // Numbers out of range (1e1128) and similar arrive as other exception kinds.
    std::string what = e.what();
    const auto pos = what.find("] ");
    if (pos != std::string::npos) what = what.substr(pos + 2);
    throw InputError(file, "", "well-formed JSON", what);
  }
}

namespace {

// Text from the document as a message shows it: at most 40 bytes (cut at a character boundary)
// and control characters as '?', so that a megabyte-long key or a terminal escape sequence in a
// value never reaches the terminal.
std::string shown(const std::string& s) { return excerpt(s, 40, false); }

}  // namespace

std::string JsonNode::child_path(const std::string& key) const {
  return path_.empty() ? shown(key) : path_ + "." + shown(key);
}

bool JsonNode::has(const std::string& key) const {
  return value_->is_object() && value_->contains(key);
}

JsonNode JsonNode::at(const std::string& key) const {
  if (!value_->is_object()) fail("an object");
  auto it = value_->find(key);
  if (it == value_->end()) {
    throw InputError(file_, child_path(key), "a value (required field)", "nothing");
  }
  return JsonNode(*it, file_, child_path(key));
}

std::optional<JsonNode> JsonNode::find(const std::string& key) const {
  if (!value_->is_object()) fail("an object");
  auto it = value_->find(key);
  if (it == value_->end()) return std::nullopt;
  return JsonNode(*it, file_, child_path(key));
}

std::size_t JsonNode::size() const {
  if (!value_->is_array()) fail("an array");
  return value_->size();
}

JsonNode JsonNode::index(std::size_t i) const {
  if (!value_->is_array()) fail("an array");
  return JsonNode((*value_)[i], file_, fmt::format("{}[{}]", path_, i));
}

std::vector<std::string> JsonNode::keys() const {
  if (!value_->is_object()) fail("an object");
  std::vector<std::string> out;
  for (auto it = value_->begin(); it != value_->end(); ++it) out.push_back(it.key());
  return out;
}

double JsonNode::as_number() const {
  if (!value_->is_number()) fail("a number");
  const double v = value_->get<double>();
  if (!std::isfinite(v)) fail("a finite number");
  return v;
}

double JsonNode::as_positive() const {
  const double v = as_number();
  if (!(v > 0)) fail("a positive number");
  return v;
}

double JsonNode::as_number_in(double min, double max, const std::string& unit) const {
  const double v = as_number();
  if (!(v >= min && v <= max)) fail(fmt::format("a number from {:g} to {:g}{}", min, max, unit));
  return v;
}

double JsonNode::as_non_negative() const {
  const double v = as_number();
  if (v < 0) fail("a number >= 0");
  return v;
}

std::int64_t JsonNode::as_int() const {
  if (value_->is_number_integer()) return value_->get<std::int64_t>();
  if (value_->is_number_float()) {
    const double v = value_->get<double>();
    if (std::isfinite(v) && std::floor(v) == v && std::fabs(v) < 9.0e15) {
      return static_cast<std::int64_t>(v);
    }
  }
  fail("an integer");
}

std::int64_t JsonNode::as_positive_int() const {
  const std::int64_t v = as_int();
  if (v <= 0) fail("a positive integer");
  return v;
}

bool JsonNode::as_bool() const {
  if (!value_->is_boolean()) fail("true or false");
  return value_->get<bool>();
}

std::string JsonNode::as_string() const {
  if (!value_->is_string()) fail("a string");
  return value_->get<std::string>();
}

std::string JsonNode::as_enum(const std::vector<std::string>& allowed) const {
  if (!value_->is_string()) fail(fmt::format("one of \"{}\"", fmt::join(allowed, "\", \"")));
  std::string s = value_->get<std::string>();
  for (const auto& a : allowed) {
    if (a == s) return s;
  }
  throw InputError(file_, path_, fmt::format("one of \"{}\"", fmt::join(allowed, "\", \"")),
                   describe() + did_you_mean_suffix(s, allowed));
}

void JsonNode::check_keys(const std::vector<std::string>& allowed) const {
  if (!value_->is_object()) fail("an object");
  for (auto it = value_->begin(); it != value_->end(); ++it) {
    bool known = false;
    for (const auto& a : allowed) known = known || (a == it.key());
    if (!known) {
      throw InputError(
          file_, child_path(it.key()), fmt::format("a known key ({})", fmt::join(allowed, ", ")),
          "unknown key '" + shown(it.key()) + "'" + did_you_mean_suffix(it.key(), allowed));
    }
  }
}

void JsonNode::fail(const std::string& expected) const {
  throw InputError(file_, path_, expected, describe());
}

std::string JsonNode::describe() const {
  const auto& v = *value_;
  const auto shorten = shown;
  switch (v.type()) {
    case nlohmann::json::value_t::null:
      return "null";
    case nlohmann::json::value_t::boolean:
      return v.get<bool>() ? "true" : "false";
    case nlohmann::json::value_t::string:
      return "the string \"" + shorten(v.get<std::string>()) + "\"";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float:
      return "the number " + shorten(v.dump());
    case nlohmann::json::value_t::object:
      return "an object";
    case nlohmann::json::value_t::array:
      return fmt::format("an array of {}", v.size());
    default:
      return "a value";
  }
}

}  // namespace cirrus
