#include "reports/validation_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "reports/report_format.hpp"

namespace cirrus::reports {

using app::DatasetValidation;
using app::GroupBy;
using app::GroupSummary;
using app::RowStatus;
using app::ValidationRowResult;

namespace {

std::string layout(const ValidationRowResult& r) {
  return fmt::format("{}/{}/{}/{}", r.tp, r.pp, r.dp, r.cp);
}

std::string memory_cell(const ValidationRowResult& r) {
  const std::string pub =
      r.published_memory_gib ? fmt::format("{:.1f}", *r.published_memory_gib) : "-";
  const std::string pred =
      r.predicted_reserved_gib ? fmt::format("{:.1f}", *r.predicted_reserved_gib) : "-";
  return pub + "/" + pred;
}

std::string percent(double v) { return fmt::format("{:+.1f}%", v * 100); }

}  // namespace

std::string render_summary_table(const std::vector<GroupSummary>& groups,
                                 const std::string& heading) {
  std::size_t fw = 9;
  for (const auto& g : groups) fw = std::max(fw, g.framework.size());
  std::string t = fmt::format("  {}\n", heading);
  t += fmt::format("    {:<6} {:<9} {:<{}} {:>5} {:>5} {:>7} {:>7} {:>7} {:>7} {:>7}  {}\n",
                   "family", "precision", "framework", fw, "rows", "pred", "refused", "unsupp",
                   "MAPE", "median", "sigma", "worst row");
  for (const auto& g : groups) {
    const bool any = g.stats.n > 0;
    t += fmt::format("    {:<6} {:<9} {:<{}} {:>5} {:>5} {:>7} {:>7} {:>7} {:>7} {:>7}  {}\n",
                     g.gpu_family, g.precision, g.framework, fw, g.rows, g.predicted, g.refused,
                     g.unsupported, any ? fmt::format("{:.1f}%", g.stats.mape * 100) : "-",
                     any ? percent(g.stats.median) : "-",
                     g.stats.n >= 2 ? fmt::format("{:.1f}%", g.stats.sigma * 100) : "-",
                     any ? fmt::format("{} ({})", g.worst_id, percent(g.worst_error)) : "-");
  }
  return t;
}

std::string render_dataset_table(const DatasetValidation& d) {
  std::string t = fmt::format("{}\n  source: {}\n  file: {}\n\n", d.title, d.source, d.name);
  std::size_t w = 26;
  for (const auto& r : d.rows) w = std::max(w, r.id.size());
  t += fmt::format("  {:<{}} {:>5} {:>12} {:>11} {:>11} {:>8} {:>13}\n", "row", w, "GPUs",
                   "tp/pp/dp/cp", "published s", "predicted s", "error", "mem GiB p/c");
  for (const auto& r : d.rows) {
    const bool ok = r.status == RowStatus::kPredicted;
    t += fmt::format(
        "  {:<{}} {:>5} {:>12} {:>11.3f} {:>11} {:>8} {:>13}", r.id, w, r.gpus, layout(r),
        r.published_s,
        ok ? fmt::format("{:.3f}", r.predicted_s) : std::string(app::to_string(r.status)),
        ok ? fmt::format("{:+.1f}%", r.error * 100) : "-", memory_cell(r));
    if (!ok) t += fmt::format("  {}: {}", app::to_string(r.status), r.reason);
    if (!r.calibration.empty()) t += fmt::format("  [{}]", r.calibration);
    t += "\n";
  }
  t += fmt::format("\n  MAPE {:.1f}% over {} rows", d.stats.mape * 100, d.stats.n);
  if (d.stats.n > 0) {
    t += fmt::format(" (median {}, sigma {:.1f}%)", percent(d.stats.median), d.stats.sigma * 100);
  }
  const int refused = static_cast<int>(std::count_if(
      d.rows.begin(), d.rows.end(), [](const auto& r) { return r.status == RowStatus::kRefused; }));
  const int unsupported = d.not_predicted() - refused;
  if (refused > 0) t += fmt::format("; {} refused (errors: every row ran for real)", refused);
  if (unsupported > 0) t += fmt::format("; {} unsupported (not simulated)", unsupported);
  t += "\n";
  if (d.memory) {
    t += fmt::format(
        "  peak memory: MAPE {:.1f}% (median {}) over {} rows with a published peak (mem GiB "
        "p/c: p = published, torch.cuda's max reserved memory as the framework logs it; c = "
        "cirrus's predicted reserved memory, its peak less the CUDA context and NCCL buffers "
        "outside PyTorch's caching allocator)\n",
        d.memory->mape * 100, percent(d.memory->median), d.memory->n);
  }
  t += "\n" + render_summary_table(app::summarize({d}, GroupBy::kFamilyPrecisionFramework),
                                   "by GPU family, precision and framework:");
  t += "\n  Assumed where the source is silent:\n";
  for (const auto& a : d.assumptions) t += fmt::format("    - {}\n", a);
  for (const auto& r : d.rows) {
    for (const auto& a : r.assumed) t += fmt::format("    - {}: {}\n", r.id, a);
  }
  return t;
}

nlohmann::json summary_json(const std::vector<GroupSummary>& groups) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& g : groups) {
    nlohmann::json j{{"gpu_family", g.gpu_family},   {"precision", g.precision},
                     {"framework", g.framework},     {"rows", g.rows},
                     {"predicted", g.predicted},     {"refused", g.refused},
                     {"unsupported", g.unsupported}, {"datasets", g.datasets}};
    if (g.stats.n > 0) {
      j["mape"] = round_sig(g.stats.mape, 4);
      j["median_error"] = round_sig(g.stats.median, 4);
      j["sigma"] = round_sig(g.stats.sigma, 4);
      j["worst"] = {{"id", g.worst_id}, {"error", round_sig(g.worst_error, 4)}};
    }
    out.push_back(j);
  }
  return out;
}

nlohmann::json dataset_json(const DatasetValidation& d) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& r : d.rows) {
    nlohmann::json j{{"id", r.id},
                     {"gpus", r.gpus},
                     {"tp", r.tp},
                     {"pp", r.pp},
                     {"dp", r.dp},
                     {"cp", r.cp},
                     {"gpu_family", r.gpu_family},
                     {"precision", r.precision},
                     {"framework", r.framework},
                     {"published", {{r.published_kind, round_sig(r.published_value)}}},
                     {"published_s", round_sig(r.published_s)},
                     {"status", app::to_string(r.status)},
                     {"feasible", r.status != RowStatus::kRefused}};
    if (r.status == RowStatus::kPredicted) {
      j["predicted_s"] = round_sig(r.predicted_s);
      j["error"] = round_sig(r.error, 4);
      j["mfu"] = round_sig(r.mfu, 4);
    } else {
      j["reason"] = r.reason;
    }
    if (r.published_memory_gib) j["published_memory_gib"] = round_sig(*r.published_memory_gib, 4);
    if (r.predicted_memory_gib) {
      j["predicted_memory_gib"] = round_sig(*r.predicted_memory_gib, 4);
      j["memory_capacity_gib"] = round_sig(r.memory_capacity_gib, 4);
    }
    if (r.predicted_reserved_gib) {
      j["predicted_reserved_gib"] = round_sig(*r.predicted_reserved_gib, 4);
    }
    if (!r.calibration.empty()) j["calibration"] = r.calibration;
    if (!r.source.empty()) j["source"] = r.source;
    if (!r.stated.empty()) j["stated"] = r.stated;
    if (!r.assumed.empty()) j["assumed"] = r.assumed;
    rows.push_back(j);
  }
  nlohmann::json j{
      {"dataset", d.title},
      {"file", d.name},
      {"source", d.source},
      {"rows", rows},
      {"mape", round_sig(d.stats.mape, 4)},
      {"predicted", d.stats.n},
      {"not_predicted", d.not_predicted()},
      {"summary", summary_json(app::summarize({d}, GroupBy::kFamilyPrecisionFramework))},
      {"assumptions", d.assumptions}};
  if (d.stats.n > 0) {
    j["median_error"] = round_sig(d.stats.median, 4);
    j["sigma"] = round_sig(d.stats.sigma, 4);
  }
  if (d.memory) {
    j["memory"] = {{"rows", d.memory->n},
                   {"mape", round_sig(d.memory->mape, 4)},
                   {"median_error", round_sig(d.memory->median, 4)}};
  }
  return j;
}

namespace {

// The serving rows' groups: per (GPU family, precision) in first-appearance order, then all.
nlohmann::ordered_json serving_groups_json(const std::vector<app::ServingValidation>& servings) {
  struct Group {
    std::string family, precision;
    std::vector<double> errors;
    std::vector<std::string> datasets;
  };
  std::vector<Group> groups;
  Group all{"all", "all", {}, {}};
  for (const auto& v : servings) {
    const std::string name = std::filesystem::path(v.file).filename().string();
    for (const auto& r : v.rows) {
      if (!r.refused.empty()) continue;
      auto it = std::find_if(groups.begin(), groups.end(), [&](const Group& g) {
        return g.family == r.gpu_family && g.precision == r.precision;
      });
      if (it == groups.end()) it = groups.insert(groups.end(), {r.gpu_family, r.precision, {}, {}});
      it->errors.push_back(r.error);
      all.errors.push_back(r.error);
      for (Group* g : {&*it, &all}) {
        if (std::find(g->datasets.begin(), g->datasets.end(), name) == g->datasets.end()) {
          g->datasets.push_back(name);
        }
      }
    }
  }
  if (!all.errors.empty()) groups.push_back(all);
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const Group& g : groups) {
    const app::ErrorStats s = app::error_stats(g.errors);
    nlohmann::ordered_json j;
    j["metric"] = "output_tokens_per_s";
    j["gpu_family"] = g.family;
    j["precision"] = g.precision;
    j["rows"] = s.n;
    j["mean_error"] = round_sig(s.mean, 4);
    j["median_error"] = round_sig(s.median, 4);
    j["mape"] = round_sig(s.mape, 4);
    j["sigma"] = round_sig(s.sigma, 4);
    j["datasets"] = g.datasets;
    out.push_back(j);
  }
  return out;
}

}  // namespace

std::string render_residuals(const std::vector<DatasetValidation>& sets,
                             const std::vector<app::ServingValidation>& servings) {
  nlohmann::ordered_json doc;
  doc["cirrus_residuals"] = 1;
  doc["generated_by"] = kResidualsCommand;
  doc["about"] =
      "Signed relative errors of cirrus's predicted step times against the published ones of "
      "every shipped step-time dataset under data/validation/, for error bars on predictions. "
      "Regenerate with the command in generated_by whenever the model or a dataset changes "
      "(a test compares this file with a fresh run, byte for byte).";
  doc["error"] =
      "(predicted - published) / published, per row; rows that cirrus refused or "
      "cannot express are not in the statistics (`cirrus validate --all` lists them)";
  doc["statistics"] =
      "rows: predicted rows in the group; mean_error and median_error: of the signed errors "
      "(median: the middle value, the mean of the two middle values for an even count); mape: "
      "mean of the absolute errors; sigma: sample standard deviation of the signed errors about "
      "their mean, sqrt(sum (e - mean_error)^2 / (rows - 1)), 0 for a group of one row";
  doc["groups_order"] =
      "per (gpu_family, precision), then per precision over all GPUs (gpu_family \"all\"), "
      "then all rows (\"all\", \"all\"); use the most specific group with enough rows";
  nlohmann::ordered_json groups = nlohmann::ordered_json::array();
  for (const GroupBy by : {GroupBy::kFamilyPrecision, GroupBy::kPrecision, GroupBy::kAll}) {
    for (const auto& g : app::summarize(sets, by)) {
      if (g.stats.n == 0) continue;
      nlohmann::ordered_json j;
      j["gpu_family"] = g.gpu_family;
      j["precision"] = g.precision;
      j["rows"] = g.stats.n;
      j["mean_error"] = round_sig(g.stats.mean, 4);
      j["median_error"] = round_sig(g.stats.median, 4);
      j["mape"] = round_sig(g.stats.mape, 4);
      j["sigma"] = round_sig(g.stats.sigma, 4);
      j["datasets"] = g.datasets;
      groups.push_back(j);
    }
  }
  doc["groups"] = groups;
  if (!servings.empty()) doc["serving_groups"] = serving_groups_json(servings);
  return doc.dump(1) + "\n";
}

}  // namespace cirrus::reports
