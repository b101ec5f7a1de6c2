#include "reports/uncertainty_render.hpp"

#include <fmt/format.h>

#include "reports/result_render.hpp"

namespace cirrus::reports {

namespace {

nlohmann::json range_json(std::optional<double> value, const models::Uncertainty& u) {
  if (!u.known || !value) return nullptr;
  const models::Range r = models::band(*value, u.sigma);
  return nlohmann::json::array({round_sig(r.low, 4), round_sig(r.high, 4)});
}

}  // namespace

void add_uncertainty_json(nlohmann::json& result, const models::Uncertainty& u,
                          const RangedValues& values) {
  if (!result.value("feasible", false)) return;
  nlohmann::json o;
  o["sigma"] = u.known ? nlohmann::json(round_sig(u.sigma, 4)) : nlohmann::json(nullptr);
  o["basis"] = u.basis;
  o["bias"] = u.known && u.bias ? nlohmann::json(round_sig(*u.bias, 4)) : nlohmann::json(nullptr);
  o["rows"] = u.rows;
  o["wide"] = u.wide;
  o["gpu_family"] = u.gpu_family.empty() ? nlohmann::json(nullptr) : nlohmann::json(u.gpu_family);
  o["precision"] = u.precision.empty() ? nlohmann::json(nullptr) : nlohmann::json(u.precision);
  o["factor"] = round_sig(u.factor, 4);
  o["step_time_s"] = range_json(values.step_time_s, u);
  o["run_days"] = range_json(values.run_days, u);
  o["usd_total"] = range_json(values.usd_total, u);
  result["uncertainty"] = std::move(o);
}

std::string range_text(const models::Range& r, int decimals) {
  return fmt::format("{:.{}f}-{:.{}f}", r.low, decimals, r.high, decimals);
}

std::string money_with_range(double usd, std::optional<double> sigma) {
  // Three significant figures, as format::usd prints money.
  double scale = 1;
  const char* unit = "";
  if (usd >= 999.5e3) {
    scale = 1e6;
    unit = "M";
  } else if (usd >= 999.5) {
    scale = 1e3;
    unit = "k";
  }
  const double v = usd / scale;
  const int decimals = v >= 99.95 ? 0 : v >= 9.995 ? 1 : 2;
  std::string o = fmt::format("${:.{}f}{}", usd / scale, decimals, unit);
  if (sigma) {
    const models::Range r = models::band(usd / scale, *sigma);
    o += fmt::format(" ({}{})", range_text(r, decimals), unit);
  }
  return o;
}

std::string days_with_range(double days, std::optional<double> sigma) {
  std::string o = fmt::format("{:.1f}", days);
  if (sigma) o += fmt::format(" ({})", range_text(models::band(days, *sigma), 1));
  return o;
}

}  // namespace cirrus::reports
