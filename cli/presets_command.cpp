// `cirrus presets [models|nodes|gpus|instances]`: what a scenario can name, with what each can do
// (app/presets_run.hpp), printed by reports/presets_render.hpp.
#include <memory>

#include "app/presets_run.hpp"
#include "cli/commands.hpp"
#include "reports/presets_render.hpp"

namespace cirrus::cli {

Action add_presets(CLI::App& app) {
  struct Options {
    app::PresetsRequest request;
    std::string format = "table";
  };
  auto opt = std::make_shared<Options>();
  auto* sub = app.add_subcommand(
      "presets", "list the model, node, GPU, instance and fine-tuning presets a scenario can name");
  sub->add_option("section", opt->request.section, "only this list (default: all of them)")
      ->check(CLI::IsMember(app::preset_sections()));
  sub->add_option("--catalog", opt->request.catalogs,
                  "instances: also read these catalog files (cirrus catalog format), listed "
                  "before the shipped ones");
  sub->add_option("--format", opt->format, "table or json")
      ->check(CLI::IsMember({"table", "json"}));
  return [opt]() {
    emit(reports::render_presets(*app::run_presets(opt->request), opt->format), "");
    return kExitOk;
  };
}

}  // namespace cirrus::cli
