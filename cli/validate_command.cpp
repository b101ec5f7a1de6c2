// `cirrus validate [DATASET] [--all [--write-residuals FILE]]`: predicted against published
// step times, row by row; measured collective curves likewise; a measured-step dataset with
// and without a calibration profile (app/validate_run.hpp, reports/validate_render.hpp).
//
// Exit status: 4 when a row was refused or is unsupported, after printing everything (and
// writing the residuals); else 0.
#include "app/validate_run.hpp"
#include "cli/commands.hpp"
#include "common/atomic_write.hpp"
#include "reports/validate_render.hpp"
#include "reports/validation_report.hpp"

namespace cirrus::cli {

Action add_validate(CLI::App& app) {
  struct Options {
    std::string dataset;
    std::string format = "table";
    std::string out;
    bool all = false;
    std::string residuals;
    app::ValidateOptions validate;
  };
  auto opt = std::make_shared<Options>();
  auto* sub = app.add_subcommand("validate", "compare predicted step times with published ones");
  sub->add_option("dataset", opt->dataset,
                  "dataset JSON (default: the Megatron-LM SC'21 Table 1 development set)");
  sub->add_option("--format", opt->format, "table or json")
      ->check(CLI::IsMember({"table", "json"}));
  sub->add_option("-o,--out", opt->out, "write to this file (atomically) instead of stdout");
  sub->add_option("--profile", opt->validate.profile,
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
  add_public_profile_flag(*sub, opt->validate.profiles);
  return [opt]() {
    if (opt->all) {
      const app::ValidationSuite suite = app::validate_all(opt->validate);
      emit(reports::render_validation_suite(suite, opt->format), opt->out);
      if (!opt->residuals.empty()) {
        write_file_atomic(opt->residuals, reports::render_residuals(suite.steps, suite.servings));
      }
      return suite.complete() ? kExitOk : kExitInfeasible;
    }
    const app::DatasetRun run = app::validate_file(
        opt->dataset.empty() ? app::default_dataset() : opt->dataset, opt->validate);
    emit(reports::render_dataset_run(run, opt->format), opt->out);
    return run.complete() ? kExitOk : kExitInfeasible;
  };
}

}  // namespace cirrus::cli
