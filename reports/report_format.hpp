#pragma once
// Numbers with units and sensible precision: the one place where cirrus's outputs format money,
// durations and counts. The report styles (usd, duration, ...) are the HTML and Markdown
// reports'; the terminal tables of `price` and `plan` still print their own older styles
// (price_usd, price_duration, plan_usd), kept byte-identical until they are unified.
#include <optional>
#include <string>
#include <vector>

namespace cirrus::reports {

// Rounds to `digits` significant digits (0 stays 0): every JSON number of a result.
double round_sig(double v, int digits = 6);

}  // namespace cirrus::reports

namespace cirrus::reports::format {

std::string usd(double v);  // "$412", "$12.3k", "$4.57 M"; "never ends" when infinite
std::string usd(const std::optional<double>& v);  // "n/a" when empty
std::string usd_rate(double v);                   // "$98.32/h"
std::string duration(double seconds);  // "850 ms", "12.4 s", "3.2 min", "5.1 h", "21.7 days"
std::string seconds(double s);         // "11.24 s", "0.852 s" (3-4 significant digits)
std::string gib(double v);             // "41.3 GiB"
std::string percent(double fraction);  // "48.7%"
std::string count(double v);           // "691,200"
std::string tokens(double v);          // "1T", "8.4M", "300B", "512k", "900": 2 significant digits

// `price`'s table: "4.57 M", "412", "12.34", "0.1234"; "never ends" when infinite.
std::string price_usd(double v);
// `price`'s table: "2.5 d", "3.1 h", "4.2 min", "12.0 s"; "never" when infinite.
std::string price_duration(double seconds);
// `plan`'s table: "$1.51M", "$12.3k", "$412.00"; "n/a" when empty.
std::string plan_usd(std::optional<double> v);

// Rows of cells as a text table: each column padded to its widest cell, right-aligned where
// `right_aligned` says, two spaces between columns, no trailing spaces. `rows` has at least one
// row (the header); `right_aligned` one entry per column.
std::string text_table(const std::vector<std::vector<std::string>>& rows,
                       const std::vector<bool>& right_aligned);
// text_table with the first column left-aligned and the others right-aligned.
std::string pad_table(const std::vector<std::vector<std::string>>& rows);

}  // namespace cirrus::reports::format
