// `cirrus catalog list|show|import`: reads the shipped and imported price catalogs, and converts
// the providers' own price files into the catalog format (app/catalog_run.hpp), printed by
// reports/catalog_render.hpp.
#include <memory>

#include "app/catalog_run.hpp"
#include "cli/commands.hpp"
#include "common/atomic_write.hpp"
#include "reports/catalog_render.hpp"

namespace cirrus::cli {

Action add_catalog(CLI::App& app) {
  struct Options {
    std::string sub;
    std::vector<std::string> catalogs;  // extra catalog files
    std::string provider;
    std::string id;
    std::string output_format = "table";
    app::ImportRequest import;
    std::string out;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("catalog", "list, show and import cloud price catalogs");
  cmd->require_subcommand(1);

  auto* list = cmd->add_subcommand("list", "the instances of the shipped and given catalogs");
  list->add_option("--provider", opt->provider, "only this provider (aws, gcp, azure, lambda)");
  list->add_option("--catalog", opt->catalogs, "also read these catalog files (imported ones)");
  list->add_option("--format", opt->output_format, "table or json")
      ->check(CLI::IsMember({"table", "json"}));
  list->callback([opt]() { opt->sub = "list"; });

  auto* show = cmd->add_subcommand("show", "one instance with every price's source and date");
  show->add_option("id", opt->id, "instance id, provider:name")->required();
  show->add_option("--catalog", opt->catalogs, "also read these catalog files (imported ones)");
  show->add_option("--format", opt->output_format, "table or json")
      ->check(CLI::IsMember({"table", "json"}));
  show->callback([opt]() { opt->sub = "show"; });

  app::ImportRequest& r = opt->import;
  auto* imp = cmd->add_subcommand("import", "convert a provider's price file into a catalog");
  imp->add_option("--format", r.format, "aws-offer, azure-retail, gcp-skus or skypilot")
      ->required()
      ->check(CLI::IsMember(app::import_formats()));
  imp->add_option("files", r.files, "price files (several pages are merged)")->required();
  imp->add_option("--region", r.options.region,
                  "region to read (default us-east-1, eastus, us-central1)");
  imp->add_option(
      "--retrieved", r.options.retrieved,
      "date of the prices, YYYY-MM-DD (default: the date the file gives; required for skypilot)");
  imp->add_option("--provider", r.options.provider,
                  "skypilot only: aws, gcp, azure or lambda (default: inferred)");
  imp->add_flag("--gcp-local-ssd", r.options.gcp_include_local_ssd,
                "gcp-skus only: include the auto-attached local SSD in machine prices");
  imp->add_option("-o,--out", opt->out, "catalog file to write (atomically)")->required();
  imp->callback([opt]() { opt->sub = "import"; });

  return [opt]() {
    if (opt->sub == "import") {
      const app::ImportedCatalog c = app::import_catalog(opt->import);
      write_file_atomic(opt->out, c.file);
      emit(reports::render_import_summary(c.catalog, opt->out), "");
    } else if (opt->sub == "show") {
      emit(reports::render_catalog_instance(app::find_catalog_instance(opt->catalogs, opt->id),
                                            opt->output_format),
           "");
    } else {
      emit(reports::render_catalog_list(*app::list_catalogs(opt->catalogs, opt->provider),
                                        opt->output_format),
           "");
    }
    return kExitOk;
  };
}

}  // namespace cirrus::cli
