// candidates.csv: every evaluated candidate, one row each (feasible first, then pruned).
#include <fmt/format.h>
#include <cmath>
#include <optional>

#include "models/step/uncertainty.hpp"
#include "reports/report_files.hpp"

namespace cirrus::reports {
namespace {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string o = "\"";
  for (char c : s) o += c == '"' ? std::string("\"\"") : std::string(1, c);
  return o + "\"";
}

std::string opt(const std::optional<double>& v) {
  // Full precision, never an exponent for figures a spreadsheet reads (1.58618e+06 lost digits).
  return v && std::isfinite(*v) ? fmt::format("{}", *v) : std::string();
}

}  // namespace

std::string render_candidates_csv(const Report& r) {
  std::string o =
      "status,instance,nodes,gpus,tp,pp,dp,cp,ep,micro_batch,schedule,virtual_stages,zero,"
      "recompute,sequence_parallel,step_time_s,estimate,run_days,usd_per_hour,usd_total,"
      "meets_limits,pareto,best,sigma,step_time_low_s,step_time_high_s,usd_total_low,"
      "usd_total_high\n";
  o.reserve(o.size() + r.candidates.size() * 140);
  for (const auto& c : r.candidates) {
    const auto& s = c.strategy;
    o += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},", csv_field(c.status),
                     csv_field(c.instance), c.nodes, c.gpus, s.tp, s.pp, s.dp, s.cp, s.ep,
                     s.micro_batch, models::to_string(s.schedule), s.virtual_stages, s.zero,
                     models::to_string(s.recompute), s.sequence_parallel ? "true" : "false");
    if (c.feasible) {
      o += fmt::format("{},{},{},{},{},{},{},{}", c.step_time_s, c.estimate, c.run_days,
                       opt(c.usd_per_hour), opt(c.usd_total), c.meets_limits ? "true" : "false",
                       c.pareto ? "true" : "false", c.best ? "true" : "false");
      // The error bars (models/step/uncertainty.hpp), empty when unknown.
      if (c.sigma) {
        const models::Range step = models::band(c.step_time_s, *c.sigma);
        std::optional<double> usd_low, usd_high;
        if (c.usd_total) {
          usd_low = models::band(*c.usd_total, *c.sigma).low;
          usd_high = models::band(*c.usd_total, *c.sigma).high;
        }
        o += fmt::format(",{},{},{},{},{}\n", *c.sigma, step.low, step.high, opt(usd_low),
                         opt(usd_high));
      } else {
        o += ",,,,\n";
      }
    } else {
      o += ",,,,,false,false,false,,,,,\n";
    }
  }
  return o;
}

}  // namespace cirrus::reports
