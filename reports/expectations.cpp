#include "reports/expectations.hpp"

#include <fmt/format.h>

#include <cmath>

namespace cirrus::reports {
namespace {

const nlohmann::json* lookup(const nlohmann::json& result, const std::string& path) {
  const nlohmann::json* at = &result;
  std::size_t begin = 0;
  while (true) {
    const std::size_t dot = path.find('.', begin);
    const std::string key = path.substr(begin, dot == std::string::npos ? dot : dot - begin);
    if (!at->is_object()) return nullptr;
    const auto it = at->find(key);
    if (it == at->end()) return nullptr;
    at = &*it;
    if (dot == std::string::npos) return at;
    begin = dot + 1;
  }
}

// Numbers as a person writes them: 8, 12.84, 1e+12; strings quoted as in JSON.
std::string show(const nlohmann::json& v) {
  if (v.is_number_float()) return fmt::format("{}", v.get<double>());
  return v.dump();
}

std::string percent(double p) {
  return std::fabs(p) >= 0.1 ? fmt::format("{:+.1f}%", p) : fmt::format("{:+.2g}%", p);
}

// How far outside [low, high] x lies, relative to the bound it crosses.
std::string outside(double x, double low, double high) {
  if (x > high) {
    return high != 0 ? percent((x - high) / std::fabs(high) * 100) + " above the range"
                     : fmt::format("{} above the range", x - high);
  }
  return low != 0 ? percent((x - low) / std::fabs(low) * 100) + " below the range"
                  : fmt::format("{} below the range", x - low);
}

std::string missing(const nlohmann::json& result, const std::string& path) {
  const nlohmann::json* feasible = lookup(result, "feasible");
  if (feasible != nullptr && feasible->is_boolean() && !feasible->get<bool>()) {
    const nlohmann::json* why = lookup(result, "infeasible_reason");
    return "nothing (infeasible" +
           (why != nullptr && why->is_string() ? ": " + why->get<std::string>() : std::string()) +
           ")";
  }
  const std::string group = path.substr(0, path.find('.'));
  if (group != path && lookup(result, group) == nullptr) {
    return "nothing (the result has no " + group + ")";
  }
  return "nothing";
}

}  // namespace

std::vector<Check> evaluate_expectations(const std::vector<app::Expectation>& expectations,
                                         const nlohmann::json& result) {
  std::vector<Check> out;
  for (const auto& e : expectations) {
    Check c;
    c.name = "expect." + e.name;
    c.expected = e.range ? fmt::format("in [{}, {}]", show(e.expected[0]), show(e.expected[1]))
                         : show(e.expected);
    const nlohmann::json* a = lookup(result, e.path);
    if (a == nullptr || a->is_null()) {
      c.actual = a == nullptr ? missing(result, e.path) : "null";
    } else if (e.range) {
      c.actual = show(*a);
      if (a->is_number()) {
        const double x = a->get<double>();
        const double low = e.expected[0].get<double>();
        const double high = e.expected[1].get<double>();
        c.passed = low <= x && x <= high;
        if (!c.passed) c.actual += " (" + outside(x, low, high) + ")";
      }
    } else if (a->is_number() && e.expected.is_number()) {
      c.passed = a->get<double>() == e.expected.get<double>();
      c.actual = show(*a);
    } else {
      c.passed = *a == e.expected;
      c.actual = show(*a);
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<Check> check_expectations(const scenarios::Scenario& s, const nlohmann::json& result) {
  return evaluate_expectations(app::parse_expectations(s), result);
}

std::string difference(const Check& c) {
  return fmt::format("{}: expected {}, got {}", c.name, c.expected, c.actual);
}

}  // namespace cirrus::reports
