// `cirrus validate [DATASET] [--all [--write-residuals FILE]]`: predicted against published
// step times, row by row, with the signed error, the memory beside the published peak and the
// summary by GPU family, precision and framework (validate_datasets.hpp); measured collective
// curves likewise. A measured-step dataset (single-GPU PyTorch steps) is compared with and
// without a calibration profile (validate_measured.hpp).
#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "app/paths.hpp"
#include "cli/commands.hpp"
#include "cli/validate_datasets.hpp"
#include "app/public_profile.hpp"
#include "cli/validate_measured.hpp"
#include "models/step/simulate.hpp"
#include "reports/result_render.hpp"
#include "scenarios/validation_set.hpp"

namespace cirrus::cli {

Action add_validate(CLI::App& app) {
  struct Options {
    std::string dataset;
    std::string format = "table";
    std::string out;
    std::string profile;
    bool all = false;
    std::string residuals;
    app::ProfileDefaults profiles;
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
  auto* all = sub->add_flag("--all", opt->all,
                            "every shipped dataset under data/validation/, with one summary "
                            "across them");
  all->excludes(sub->get_option("dataset"));
  sub->add_option("--write-residuals", opt->residuals,
                  "with --all: write the residual statistics per GPU family and precision "
                  "(data/validation/residuals.json's format) to this file")
      ->needs(all);
  add_public_profile_flag(*sub, opt->profiles);
  return [opt]() {
    // Each row's GPU gets its public profile (none with --no-public-profile): a dataset names
    // no profile of its own. The row's result says which calibration it rests on.
    reports::ValidationRunOptions run_options;
    if (opt->profiles.public_profile) {
      run_options.calibrate = [](const scenarios::ValidationRow&, models::StepInput& input) {
        input.profile = app::public_profile(input.cluster.node);
        return std::string();
      };
    }
    if (opt->all) {
      return validate_all(app::data_path("validation"), opt->format, opt->out, opt->residuals,
                          run_options);
    }
    const std::string path =
        opt->dataset.empty() ? app::data_path("validation/megatron_sc21_table1.json") : opt->dataset;
    if (is_measured_steps(path)) {
      return validate_measured(path, opt->profile, opt->format, opt->out,
                               opt->profiles.public_profile);
    }
    return validate_dataset(path, opt->format, opt->out, run_options);
  };
}

}  // namespace cirrus::cli
