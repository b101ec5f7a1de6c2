#include "common/csv.hpp"

#include <fmt/format.h>

#include "common/input_error.hpp"

namespace cirrus {

CsvReader::CsvReader(std::string_view text, std::string file)
    : text_(text), file_(std::move(file)) {
  if (text_.starts_with("\xEF\xBB\xBF")) pos_ = 3;
}

bool CsvReader::next(std::vector<std::string>& fields) {
  fields.clear();
  if (pos_ >= text_.size()) return false;
  record_line_ = line_;
  std::string field;
  bool quoted = false;      // inside a quoted section
  bool was_quoted = false;  // the field began with a quote
  while (pos_ < text_.size()) {
    const char c = text_[pos_++];
    if (quoted) {
      if (c == '"') {
        if (pos_ < text_.size() && text_[pos_] == '"') {
          field.push_back('"');
          ++pos_;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line_;
        field.push_back(c);
      }
      continue;
    }
    if (c == '"' && field.empty() && !was_quoted) {
      quoted = true;
      was_quoted = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
      was_quoted = false;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
      ++line_;
      fields.push_back(std::move(field));
      return true;
    } else {
      // A stray quote inside an unquoted field is kept as text, as most readers do.
      field.push_back(c);
    }
  }
  if (quoted) {
    throw InputError(file_, fmt::format("line {}", record_line_), "a closing quote",
                     "the end of the file inside a quoted field");
  }
  fields.push_back(std::move(field));
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

CsvHeader::CsvHeader(const std::vector<std::string>& names) {
  for (const auto& n : names) names_.emplace_back(trim(n));
}

std::optional<std::size_t> CsvHeader::find(std::string_view name) const {
  for (std::size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == name) return i;
  }
  return std::nullopt;
}

std::string_view CsvHeader::get(const std::vector<std::string>& row, std::string_view name) const {
  const auto i = find(name);
  if (!i || *i >= row.size()) return {};
  return trim(row[*i]);
}

}  // namespace cirrus
