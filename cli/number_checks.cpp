// Numeric options checked with cirrus's own words: a finite number in a stated range (NaN and
// infinities refused), rather than CLI11's range text with 300-digit bounds. A value out of
// range is bad input (exit 3), as the same value in a scenario is: the validators throw
// InputError, which CLI11 lets through its parse to cli/main.cpp.
#include <fmt/format.h>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "cli/commands.hpp"
#include "common/input_error.hpp"

namespace cirrus::cli {
namespace {

std::string shown(const std::string& text) {
  return text.size() > 40 ? "\"" + text.substr(0, 40) + "...\"" : "\"" + text + "\"";
}

}  // namespace

CLI::Validator number_in(const std::string& option, double min, double max,
                         const std::string& unit) {
  const std::string what = fmt::format("a number from {:g} to {:g}{}", min, max, unit);
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        errno = 0;
        char* end = nullptr;
        const double v = std::strtod(text.c_str(), &end);
        if (text.empty() || end != text.c_str() + text.size() || errno == ERANGE ||
            !std::isfinite(v) || v < min || v > max) {
          throw InputError("command line", option, what, shown(text));
        }
        return "";
      },
      what);
}

CLI::Validator count_in(const std::string& option, long long min, long long max) {
  const std::string what = fmt::format("an integer from {} to {}", min, max);
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        errno = 0;
        char* end = nullptr;
        const long long v = std::strtoll(text.c_str(), &end, 10);
        if (text.empty() || end != text.c_str() + text.size() || errno == ERANGE || v < min ||
            v > max) {
          throw InputError("command line", option, what, shown(text));
        }
        return "";
      },
      what);
}

}  // namespace cirrus::cli
