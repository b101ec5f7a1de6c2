// `cirrus catalog list|show|import`: reads the shipped and imported price catalogs, and converts
// the providers' own price files into the catalog format.
#include <fmt/format.h>
#include <memory>

#include "app/paths.hpp"
#include "cli/commands.hpp"
#include "common/atomic_write.hpp"
#include "common/input_error.hpp"
#include "pricing/catalog.hpp"
#include "pricing/importers.hpp"

namespace cirrus::cli {
namespace {

std::string price_cell(const std::optional<double>& usd) {
  return usd ? fmt::format("{:.3f}", *usd) : std::string("-");
}

std::string gpus_cell(const pricing::Instance& in) {
  if (!in.gpus) return "?";
  const std::string what = in.gpu.empty() ? in.gpu_model : in.gpu;
  const double n = *in.gpus;
  const std::string count =
      n == static_cast<int>(n) ? fmt::format("{}", static_cast<int>(n)) : fmt::format("{:.3g}", n);
  return what.empty() ? count : count + " x " + what;
}

// A plain text table: columns padded to their widest cell, the last one left ragged.
std::string render_table(const std::vector<std::vector<std::string>>& rows,
                         const std::vector<bool>& right_aligned) {
  std::vector<std::size_t> width(rows.front().size(), 0);
  for (const auto& r : rows) {
    for (std::size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  }
  std::string out;
  for (const auto& r : rows) {
    std::string line;
    for (std::size_t i = 0; i < r.size(); ++i) {
      const bool last = i + 1 == r.size();
      if (right_aligned[i]) {
        line += fmt::format("{:>{}}", r[i], width[i]);
      } else {
        line += last ? r[i] : fmt::format("{:<{}}", r[i], width[i]);
      }
      if (!last) line += "  ";
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string list_table(const std::vector<const pricing::Instance*>& instances) {
  std::vector<std::vector<std::string>> rows = {
      {"id", "region", "GPUs", "on-demand", "spot", "1y", "3y", "retrieved"}};
  bool unverified = false;
  for (const pricing::Instance* in : instances) {
    unverified = unverified || !in->verified;
    rows.push_back({in->id, in->region, gpus_cell(*in), price_cell(in->prices.on_demand),
                    price_cell(in->prices.spot), price_cell(in->prices.committed_1y),
                    price_cell(in->prices.committed_3y),
                    in->source.retrieved + (in->verified ? "" : " *")});
  }
  std::string out = render_table(rows, {false, false, false, true, true, true, true, false});
  out += "USD per instance-hour; - not offered (or not known: see `cirrus catalog show ID`)\n";
  if (unverified) out += "* includes a recalled figure not found in a dated source\n";
  return out;
}

std::string optional_figure(const std::optional<double>& v, const char* unit) {
  return v ? fmt::format("{}{}", *v, unit) : std::string("unknown");
}

std::string show_text(const pricing::Instance& in) {
  std::string out = fmt::format("{}\n", in.id);
  out += fmt::format("  region        {}\n", in.region);
  out += fmt::format("  accelerators  {}{}\n", gpus_cell(in),
                     in.gpu.empty() ? " (no cirrus GPU model: cannot be simulated)" : "");
  out += fmt::format("  vCPUs         {}\n", optional_figure(in.vcpus, ""));
  out += fmt::format("  memory        {}\n", optional_figure(in.memory_gib, " GiB"));
  out += fmt::format("  node preset   {}\n", in.node.empty() ? "none" : in.node);
  std::string network = optional_figure(in.network_gbps, " Gb/s");
  if (in.nics) network += fmt::format(" ({} NICs x {} Gb/s)", *in.nics, in.nic_gbps.value_or(0));
  out += fmt::format("  network       {}\n", network);
  out += "  prices (USD per instance-hour):\n";
  for (const pricing::PricingModel m : pricing::kPricingModels) {
    const auto p = in.prices.get(m);
    const pricing::PriceSource s = in.source_of(m);
    out += fmt::format("    {:<13} {:>10}", pricing::to_string(m),
                       p ? fmt::format("{}", *p) : std::string("not offered"));
    if (p) {
      out += fmt::format("  {}, retrieved {}{}", s.source, s.retrieved,
                         s.verified ? "" : " (recalled, unverified)");
    }
    out += "\n";
  }
  if (!in.verified) out += "  some figures are recalled, not read from a dated source\n";
  if (!in.note.empty()) out += fmt::format("  note          {}\n", in.note);
  return out;
}

}  // namespace

Action add_catalog(CLI::App& app) {
  struct Options {
    std::string sub;
    std::vector<std::string> catalogs;  // extra catalog files
    std::string provider;
    std::string id;
    std::string output_format = "table";
    std::string import_format;
    std::vector<std::string> files;
    std::string region;
    std::string retrieved;
    std::string source_provider;
    bool gcp_local_ssd = false;
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

  auto* imp = cmd->add_subcommand("import", "convert a provider's price file into a catalog");
  imp->add_option("--format", opt->import_format, "aws-offer, azure-retail, gcp-skus or skypilot")
      ->required()
      ->check(CLI::IsMember(pricing::import_format_names()));
  imp->add_option("files", opt->files, "price files (several pages are merged)")->required();
  imp->add_option("--region", opt->region,
                  "region to read (default us-east-1, eastus, us-central1)");
  imp->add_option("--retrieved", opt->retrieved,
                  "date of the prices, YYYY-MM-DD (default: the date the file gives)");
  imp->add_option("--provider", opt->source_provider,
                  "skypilot only: aws, gcp, azure or lambda (default: inferred)");
  imp->add_flag("--gcp-local-ssd", opt->gcp_local_ssd,
                "gcp-skus only: include the auto-attached local SSD in machine prices");
  imp->add_option("-o,--out", opt->out, "catalog file to write (atomically)")->required();
  imp->callback([opt]() { opt->sub = "import"; });

  return [opt]() {
    if (opt->sub == "import") {
      pricing::ImportOptions options;
      options.region = opt->region;
      options.retrieved = opt->retrieved;
      options.provider = opt->source_provider;
      options.gcp_include_local_ssd = opt->gcp_local_ssd;
      const auto format = pricing::parse_import_format(opt->import_format);
      if (!format) throw UsageError("--format: unknown price-file format " + opt->import_format);
      // Everything is read and checked before anything is written: an error leaves no file.
      const pricing::Catalog c =
          pricing::import_catalog(*format, pricing::read_input_files(opt->files), options);
      write_file_atomic(opt->out, pricing::write_catalog(c));
      std::size_t priced = 0;
      for (const auto& in : c.instances) priced += in.prices.on_demand ? 1 : 0;
      fmt::print("{}: {} {} instances ({} with an on-demand price), region {}, retrieved {}\n",
                 opt->out, c.instances.size(), c.provider, priced, c.instances.front().region,
                 c.instances.front().source.retrieved);
      return kExitOk;
    }
    const auto catalogs = pricing::load_catalogs(app::source_path("pricing/catalogs"), opt->catalogs);
    if (opt->sub == "show") {
      const pricing::Instance& in = pricing::lookup_instance(catalogs, opt->id, "catalog show", "");
      emit(opt->output_format == "json" ? pricing::write_instances({&in}) : show_text(in), "");
      return kExitOk;
    }
    const auto instances = pricing::list_instances(catalogs, opt->provider);
    if (instances.empty() && !opt->provider.empty()) {
      std::vector<std::string> providers;
      for (const auto& c : catalogs) providers.push_back(c.provider);
      throw UsageError(fmt::format("--provider: no catalog of provider '{}' (known: {})",
                                   opt->provider, fmt::join(providers, ", ")));
    }
    emit(opt->output_format == "json" ? pricing::write_instances(instances) : list_table(instances),
         "");
    return kExitOk;
  };
}

}  // namespace cirrus::cli
