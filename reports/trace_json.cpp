#include "reports/trace_json.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace cirrus::reports {

std::string trace_micros(std::int64_t ps) {
  const bool negative = ps < 0;
  const std::uint64_t a =
      negative ? static_cast<std::uint64_t>(-(ps + 1)) + 1 : static_cast<std::uint64_t>(ps);
  return fmt::format("{}{}.{:06}", negative ? "-" : "", a / 1000000, a % 1000000);
}

std::string trace_string(const std::string& s) { return nlohmann::json(s).dump(); }

}  // namespace cirrus::reports
