#include "reports/junit_render.hpp"

#include <fmt/format.h>

#include <string_view>

namespace cirrus::reports {
namespace {

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // XML 1.0 has no escape for other control characters: they are dropped.
        if (static_cast<unsigned char>(ch) >= 0x20 || ch == '\n' || ch == '\t' || ch == '\r') {
          out += ch;
        }
    }
  }
  return out;
}

}  // namespace

std::string render_junit(const std::vector<Verdict>& verdicts,
                         std::optional<double> total_seconds) {
  std::size_t failures = 0;
  std::size_t skipped = 0;
  for (const auto& v : verdicts) {
    failures += v.outcome == Outcome::kFail ? 1 : 0;
    skipped += v.outcome == Outcome::kSkip ? 1 : 0;
  }
  auto time = [&](double seconds) {
    return total_seconds ? fmt::format(R"( time="{:.3f}")", seconds) : std::string();
  };
  const std::string counts =
      fmt::format(R"(tests="{}" failures="{}" errors="0" skipped="{}"{})", verdicts.size(),
                  failures, skipped, time(total_seconds.value_or(0)));
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  x += fmt::format("<testsuites name=\"cirrus check\" {}>\n", counts);
  x += fmt::format("  <testsuite name=\"cirrus check\" {}>\n", counts);
  for (const auto& v : verdicts) {
    const std::string head = fmt::format(R"(    <testcase classname="{}" name="{}"{})",
                                         xml_escape(v.file), xml_escape(v.name), time(v.seconds));
    if (v.outcome == Outcome::kPass) {
      x += head + "/>\n";
      continue;
    }
    x += head + ">\n";
    if (v.outcome == Outcome::kSkip) {
      x += "      <skipped message=\"no expect block\"/>\n";
    } else {
      std::string body;
      for (const auto& k : v.checks) {
        if (!k.passed) body += difference(k) + "\n";
      }
      x += fmt::format(
          "      <failure message=\"{} of {} expectations failed\" type=\"expectation\">{}"
          "</failure>\n",
          v.failed_checks(), v.checks.size(), xml_escape(body));
    }
    x += "    </testcase>\n";
  }
  x += "  </testsuite>\n</testsuites>\n";
  return x;
}

}  // namespace cirrus::reports
