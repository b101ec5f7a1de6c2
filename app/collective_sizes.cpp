#include "app/collective_sizes.hpp"

#include <algorithm>
#include <cctype>

#include "common/input_error.hpp"

namespace cirrus::app {
namespace {

[[noreturn]] void bad(const std::string& expected, const std::string& found) {
  throw InputError("command line", "--sizes", expected, "'" + found + "'");
}

double parse_size(const std::string& text) {
  std::size_t i = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) != 0) ++i;
  if (i == 0 || i > 15) bad("sizes like 1K, 64M or 1G (powers of 1024)", text);
  double v = static_cast<double>(std::stoll(text.substr(0, i)));
  std::string rest = text.substr(i);
  if (!rest.empty()) {
    const char unit = static_cast<char>(std::toupper(static_cast<unsigned char>(rest[0])));
    const std::string units = "KMGT";
    const std::size_t power = units.find(unit);
    if (power != std::string::npos) {
      for (std::size_t p = 0; p <= power; ++p) v *= 1024.0;
      rest = rest.substr(1);
    }
  }
  if (rest == "B" || rest == "b") rest.clear();
  if (!rest.empty() || v <= 0) bad("sizes like 1K, 64M or 1G (powers of 1024), each > 0", text);
  return v;
}

}  // namespace

std::vector<double> parse_sizes(const std::string& list) {
  std::vector<double> sizes;
  std::size_t start = 0;
  while (start <= list.size()) {
    const std::size_t comma = std::min(list.find(',', start), list.size());
    const std::string item = list.substr(start, comma - start);
    const std::size_t dots = item.find("..");
    if (dots != std::string::npos) {
      const double lo = parse_size(item.substr(0, dots));
      const double hi = parse_size(item.substr(dots + 2));
      if (hi < lo) bad("a range low..high with low <= high", item);
      for (double s = lo; s <= hi; s *= 2) sizes.push_back(s);
    } else {
      sizes.push_back(parse_size(item));
    }
    start = comma + 1;
  }
  return sizes;
}

}  // namespace cirrus::app
