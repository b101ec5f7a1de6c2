#pragma once
// Numbers with units and sensible precision, as the HTML and Markdown reports print them.
#include <optional>
#include <string>

namespace cirrus::reports::format {

std::string usd(double v);  // "$412", "$12.3k", "$4.57 M"; "never ends" when infinite
std::string usd(const std::optional<double>& v);  // "n/a" when empty
std::string usd_rate(double v);                   // "$98.32/h"
std::string duration(double seconds);  // "850 ms", "12.4 s", "3.2 min", "5.1 h", "21.7 days"
std::string seconds(double s);         // "11.24 s", "0.852 s" (3-4 significant digits)
std::string gib(double v);             // "41.3 GiB"
std::string percent(double fraction);  // "48.7%"
std::string count(double v);           // "691,200"

}  // namespace cirrus::reports::format
