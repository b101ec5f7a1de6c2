#include "reports/report_format.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>

namespace cirrus::reports {

double round_sig(double v, int digits) {
  if (v == 0 || !std::isfinite(v)) return v;
  const double scale =
      std::pow(10.0, digits - 1 - static_cast<int>(std::floor(std::log10(std::fabs(v)))));
  return std::round(v * scale) / scale;
}

}  // namespace cirrus::reports

namespace cirrus::reports::format {

std::string text_table(const std::vector<std::vector<std::string>>& rows,
                       const std::vector<bool>& right_aligned) {
  std::vector<std::size_t> width(rows.front().size(), 0);
  for (const auto& r : rows) {
    for (std::size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  }
  std::string out;
  for (const auto& r : rows) {
    std::string line;
    for (std::size_t i = 0; i < r.size(); ++i) {
      line += right_aligned[i] ? fmt::format("{:>{}}", r[i], width[i])
                               : fmt::format("{:<{}}", r[i], width[i]);
      line += "  ";
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string pad_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<bool> right(rows.front().size(), true);
  right.front() = false;
  return text_table(rows, right);
}

std::string tokens(double v) {
  if (!std::isfinite(v)) return "?";
  const double a = std::fabs(v);
  auto two = [](double x, const char* suffix) {
    return fmt::format("{}{}", round_sig(x, 2), suffix);  // "8.4M", "1T" (round_sig: 1, not 1.0)
  };
  if (a >= 1e12) return two(v / 1e12, "T");
  if (a >= 1e9) return two(v / 1e9, "B");
  if (a >= 1e6) return two(v / 1e6, "M");
  if (a >= 1e3) return two(v / 1e3, "k");
  return fmt::format("{}", round_sig(v, 2));
}

std::string usd(double v) {
  if (!std::isfinite(v)) return "never ends";
  const double a = std::fabs(v);
  if (a == 0) return "$0";
  // Three significant figures everywhere, with a suffix from a thousand up and trailing zeros
  // kept ($2.30M, $921k, $59.3k, $1.20k, $412, $4.10, $0.0123), so amounts side by side read
  // alike.
  auto sig3 = [](double x, const char* suffix) {
    const double ax = std::fabs(x);
    const int decimals = ax >= 99.95 ? 0 : ax >= 9.995 ? 1 : 2;
    return fmt::format("${:.{}f}{}", x, decimals, suffix);
  };
  if (a >= 999.5e9) return fmt::format("${:.0f}B", v / 1e9);
  if (a >= 999.5e6) return sig3(v / 1e9, "B");
  if (a >= 999.5e3) return sig3(v / 1e6, "M");
  if (a >= 999.5) return sig3(v / 1e3, "k");
  if (a >= 0.9995) return sig3(v, "");
  const int decimals = 2 - static_cast<int>(std::floor(std::log10(a)));
  return fmt::format("${:.{}f}", v, std::min(decimals, 12));
}

std::string usd(const std::optional<double>& v) { return v ? usd(*v) : "n/a"; }

std::string usd_rate(double v) { return usd(v) + "/h"; }

std::string duration(double s) {
  if (!std::isfinite(s)) return "never";
  if (s >= 2 * 86400) return fmt::format("{:.1f} days", s / 86400);
  if (s >= 2 * 3600) return fmt::format("{:.1f} h", s / 3600);
  if (s >= 120) return fmt::format("{:.1f} min", s / 60);
  if (s >= 1) return fmt::format("{:.3g} s", s);
  return fmt::format("{:.3g} ms", s * 1e3);
}

std::string seconds(double s) {
  if (s >= 100) return fmt::format("{:.0f} s", s);
  if (s >= 10) return fmt::format("{:.2f} s", s);
  if (s >= 0.1) return fmt::format("{:.3f} s", s);
  return fmt::format("{:.3g} ms", s * 1e3);
}

std::string gib(double v) { return fmt::format("{:.1f} GiB", v); }

std::string percent(double f) { return fmt::format("{:.1f}%", f * 100); }

std::string count(double v) {
  std::string digits = fmt::format("{:.0f}", v);
  std::string out;
  const std::size_t start = !digits.empty() && digits[0] == '-' ? 1 : 0;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > start && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace cirrus::reports::format
