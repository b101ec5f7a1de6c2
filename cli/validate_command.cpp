// `cirrus validate [DATASET]`: predicted against published step times, row by row, with the
// signed error and the mean absolute percentage error. A measured-step dataset (single-GPU
// PyTorch steps) is compared with and without a calibration profile (validate_measured.hpp).
#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/public_profile.hpp"
#include "cli/scenario_profile.hpp"
#include "cli/validate_measured.hpp"
#include "models/simulate.hpp"
#include "reports/result_render.hpp"
#include "scenarios/validation_set.hpp"

namespace cirrus::cli {

Action add_validate(CLI::App& app) {
  struct Options {
    std::string dataset;
    std::string format = "table";
    std::string out;
    std::string profile;
    ProfileDefaults profiles;
  };
  auto opt = std::make_shared<Options>();
  auto* sub = app.add_subcommand("validate", "compare predicted step times with published ones");
  sub->add_option("dataset", opt->dataset,
                  "dataset JSON (default: the Megatron-LM SC'21 Table 1 development set)");
  sub->add_option("--format", opt->format, "table or json")
      ->check(CLI::IsMember({"table", "json"}));
  sub->add_option("-o,--out", opt->out, "write to this file (atomically) instead of stdout");
  sub->add_option("--profile", opt->profile,
                  "calibration profile for a measured-step dataset (default: the shipped "
                  "calibrate/profiles/<gpu>.json when there is one, else the public profile)");
  add_public_profile_flag(*sub, opt->profiles);
  return [opt]() {
    const std::string path =
        opt->dataset.empty() ? data_path("validation/megatron_sc21_table1.json") : opt->dataset;
    if (is_measured_steps(path)) {
      return validate_measured(path, opt->profile, opt->format, opt->out,
                               opt->profiles.public_profile);
    }
    const auto set = scenarios::load_validation_set(path);
    nlohmann::json rows = nlohmann::json::array();
    std::string table = fmt::format("{}\n  source: {}\n\n", set.title, set.source);
    std::size_t w = 26;
    for (const auto& row : set.rows) w = std::max(w, row.id.size());
    table += fmt::format("  {:<{}} {:>5} {:>12} {:>11} {:>11} {:>8}\n", "row", w, "GPUs",
                         "tp/pp/dp", "published s", "predicted s", "error");
    double abs_sum = 0;
    int counted = 0;
    std::vector<std::string> calibrations;  // distinct, in row order
    for (const auto& row : set.rows) {
      // Each row's GPU gets its public profile (none with --no-public-profile): the dataset
      // names no profile of its own.
      models::StepInput input = row.input;
      if (opt->profiles.public_profile) input.profile = public_profile(input.cluster.node);
      const auto r = models::simulate_step(input);
      if (std::find(calibrations.begin(), calibrations.end(), r.calibration) ==
          calibrations.end()) {
        calibrations.push_back(r.calibration);
      }
      const auto& s = row.input.strategy;
      const std::string layout = fmt::format("{}/{}/{}", s.tp, s.pp, s.dp);
      if (!r.feasible) {
        table += fmt::format("  {:<{}} {:>5} {:>12} {:>11.3f} {:>11} {:>8}  ({})\n", row.id, w,
                             row.input.cluster.gpus(), layout, row.published_step_s,
                             "infeasible", "-", r.infeasible_reason);
        rows.push_back({{"id", row.id}, {"published_s", reports::round_sig(row.published_step_s)},
                        {"feasible", false}, {"reason", r.infeasible_reason}});
        continue;
      }
      const double err = (r.step_time_s - row.published_step_s) / row.published_step_s;
      abs_sum += std::fabs(err);
      ++counted;
      table += fmt::format("  {:<{}} {:>5} {:>12} {:>11.3f} {:>11.3f} {:>+7.1f}%\n", row.id, w,
                           row.input.cluster.gpus(), layout, row.published_step_s, r.step_time_s,
                           err * 100);
      rows.push_back({{"id", row.id},
                      {"gpus", row.input.cluster.gpus()},
                      {"published_s", reports::round_sig(row.published_step_s)},
                      {"predicted_s", reports::round_sig(r.step_time_s)},
                      {"error", reports::round_sig(err, 4)},
                      {"mfu", reports::round_sig(r.mfu, 4)},
                      {"calibration", r.calibration}});
    }
    const double mape = counted > 0 ? abs_sum / counted : 0.0;
    table += fmt::format("\n  MAPE {:.1f}% over {} rows\n", mape * 100, counted);
    for (const auto& c : calibrations) table += fmt::format("  calibration: {}\n", c);
    table += "\n  Assumed where the source is silent:\n";
    for (const auto& a : set.assumptions) table += fmt::format("    - {}\n", a);
    if (opt->format == "json") {
      nlohmann::json j{{"dataset", set.title},
                       {"source", set.source},
                       {"rows", rows},
                       {"mape", reports::round_sig(mape, 4)},
                       {"assumptions", set.assumptions}};
      emit(j.dump(2) + "\n", opt->out);
    } else {
      emit(table, opt->out);
    }
    return counted == static_cast<int>(set.rows.size()) ? 0 : 4;
  };
}

}  // namespace cirrus::cli
