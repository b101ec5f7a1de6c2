#include "reports/serving_validation.hpp"

#include <fmt/format.h>

#include "reports/report_format.hpp"

namespace cirrus::reports {

using app::ErrorStats;
using app::ServingValidation;

namespace {

std::string stats_cell(const ErrorStats& s) {
  if (s.n == 0) return "no rows";
  return fmt::format("MAPE {:.1f}%, mean error {:+.1f}%, sigma {:.1f}% over {} rows", s.mape * 100,
                     s.mean * 100, s.sigma * 100, s.n);
}

nlohmann::json stats_json(const ErrorStats& s) {
  if (s.n == 0) return {{"rows", 0}};
  return {{"rows", s.n},
          {"mape", round_sig(s.mape, 4)},
          {"mean_error", round_sig(s.mean, 4)},
          {"median_error", round_sig(s.median, 4)},
          {"sigma", round_sig(s.sigma, 4)}};
}

}  // namespace

std::string render_serving_validation_table(const ServingValidation& v) {
  std::string t = fmt::format("{}\n  source: {}\n  file: {}\n\n", v.title, v.source, v.file);
  t += fmt::format("  {:<44} {:>3} {:>6} {:>6} {:>6} {:>10} {:>10} {:>8} {:>8}\n", "row", "tp",
                   "in", "out", "reqs", "published", "cirrus", "error", "out/iter");
  for (const auto& r : v.rows) {
    if (!r.refused.empty()) {
      t += fmt::format("  {:<44} {:>3} {:>6} {:>6} {:>6} {:>10.0f}  not simulated: {}\n", r.id,
                       r.tp, r.input_tokens, r.output_tokens, r.requests, r.measured, r.refused);
      continue;
    }
    t += fmt::format("  {:<44} {:>3} {:>6} {:>6} {:>6} {:>10.0f} {:>10.0f} {:>+7.1f}% {:>8.0f}\n",
                     r.id, r.tp, r.input_tokens, r.output_tokens, r.requests, r.measured,
                     r.predicted, r.error * 100, r.output_per_iteration);
  }
  t += "\n  (output tokens/s of the whole replica; out/iter: output tokens per iteration)\n";
  for (const auto& [model, s] : v.by_model) t += fmt::format("  {}: {}\n", model, stats_cell(s));
  t += fmt::format("  all rows: {}\n", stats_cell(v.all));
  if (v.refused() > 0) t += fmt::format("  not simulated: {} rows\n", v.refused());
  if (!v.setup.empty()) {
    t += "\n  Setup:\n";
    for (const auto& s : v.setup) t += fmt::format("    {}\n", s);
  }
  if (!v.assumptions.empty()) {
    t += "\n  Assumed where the source is silent:\n";
    for (const auto& a : v.assumptions) t += fmt::format("    - {}\n", a);
  }
  return t;
}

nlohmann::json serving_validation_json(const ServingValidation& v) {
  nlohmann::json j;
  j["title"] = v.title;
  j["source"] = v.source;
  j["file"] = v.file;
  j["rows"] = nlohmann::json::array();
  for (const auto& r : v.rows) {
    nlohmann::json row;
    row["id"] = r.id;
    row["model"] = r.model;
    row["tp"] = r.tp;
    row["input_tokens"] = r.input_tokens;
    row["output_tokens"] = r.output_tokens;
    row["requests"] = r.requests;
    row["measured_output_tokens_per_s"] = r.measured;
    if (r.refused.empty()) {
      row["predicted_output_tokens_per_s"] = round_sig(r.predicted, 6);
      row["error"] = round_sig(r.error, 4);
      row["output_tokens_per_iteration"] = round_sig(r.output_per_iteration, 4);
      row["kv_blocks"] = r.kv_blocks;
      row["refused"] = nullptr;
    } else {
      row["predicted_output_tokens_per_s"] = nullptr;
      row["error"] = nullptr;
      row["output_tokens_per_iteration"] = nullptr;
      row["kv_blocks"] = nullptr;
      row["refused"] = r.refused;
    }
    row["source"] = r.source;
    row["stated"] = r.stated;
    row["uncertain"] = r.uncertain;
    j["rows"].push_back(row);
  }
  nlohmann::json models = nlohmann::json::array();
  for (const auto& [model, s] : v.by_model) {
    nlohmann::json m = stats_json(s);
    m["model"] = model;
    models.push_back(m);
  }
  j["by_model"] = models;
  j["all"] = stats_json(v.all);
  j["setup"] = v.setup;
  j["assumed"] = v.assumptions;
  return j;
}

}  // namespace cirrus::reports
