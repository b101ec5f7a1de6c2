#pragma once
// Numbers with units and sensible precision: the one place where cirrus's outputs format money,
// durations and counts, one style per quantity in every command, table, report and message.
#include <optional>
#include <string>
#include <vector>

namespace cirrus::reports {

// Rounds to `digits` significant digits (0 stays 0): every JSON number of a result.
double round_sig(double v, int digits = 6);

}  // namespace cirrus::reports

namespace cirrus::reports::format {

std::string usd(double v);  // "$0.0123", "$4.10", "$412", "$12.3k", "$4.57M": 3 significant figures
std::string usd(const std::optional<double>& v);  // "n/a" when empty
std::string usd_rate(double v);                   // "$98.32/h"
std::string duration(double seconds);  // "850 ms", "12.4 s", "3.2 min", "5.1 h", "21.7 days"
std::string seconds(double s);         // "11.24 s", "0.852 s" (3-4 significant digits)
std::string gib(double v);             // "41.3 GiB"
std::string percent(double fraction);  // "48.7%"
std::string count(double v);           // "691,200"
std::string tokens(double v);          // "1T", "8.4M", "300B", "512k", "900": 2 significant digits

// Rows of cells as a text table: each column padded to its widest cell, right-aligned where
// `right_aligned` says, two spaces between columns, no trailing spaces. `rows` has at least one
// row (the header); `right_aligned` one entry per column.
std::string text_table(const std::vector<std::vector<std::string>>& rows,
                       const std::vector<bool>& right_aligned);
// text_table with the first column left-aligned and the others right-aligned.
std::string pad_table(const std::vector<std::vector<std::string>>& rows);

}  // namespace cirrus::reports::format
