#pragma once
// A small RFC 4180 reader, for the providers' CSV price files (pricing/) and the public
// measurement tables calibration imports (calibrate/): quoted fields, doubled quotes,
// separators and line breaks inside quotes, CRLF or LF line ends, a UTF-8 byte-order mark.
// It walks the text in place (AWS's regional offer CSVs run to hundreds of megabytes), one
// record at a time. In common/ because both pricing/ and calibrate/ read CSV and neither may
// include the other.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cirrus {

class CsvReader {
 public:
  // `file` names the input in errors.
  CsvReader(std::string_view text, std::string file);

  // Reads the next record into `fields`; false at the end of the text. A blank line is a record
  // of one empty field. Throws InputError for a quote left open at the end of the text.
  bool next(std::vector<std::string>& fields);
  // The 1-based line where the last record returned began.
  std::size_t line() const { return record_line_; }

 private:
  std::string_view text_;
  std::string file_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  std::size_t record_line_ = 0;
};

// Column positions by header name, so files are read whatever their column order.
class CsvHeader {
 public:
  explicit CsvHeader(const std::vector<std::string>& names);
  // The column of `name` (exact match, surrounding spaces ignored), or nullopt.
  std::optional<std::size_t> find(std::string_view name) const;
  // The field of `name` in `row`, or "" when the column or the field is missing.
  std::string_view get(const std::vector<std::string>& row, std::string_view name) const;
  bool has(std::string_view name) const { return find(name).has_value(); }
  std::size_t size() const { return names_.size(); }

 private:
  std::vector<std::string> names_;
};

// Leading and trailing spaces and tabs removed.
std::string_view trim(std::string_view s);

}  // namespace cirrus
