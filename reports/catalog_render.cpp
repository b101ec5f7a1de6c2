#include "reports/catalog_render.hpp"

#include "pricing/capacity_products.hpp"
#include "reports/report_format.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <vector>

namespace cirrus::reports {
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

std::string render_table(const std::vector<std::vector<std::string>>& rows,
                         const std::vector<bool>& right_aligned) {
  return format::text_table(rows, right_aligned);
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
    if (pricing::is_capacity_product(m) && !p) {
      // Listed only for the types sold under them: no public price list has their prices.
      if (!pricing::not_offered_reason(in, m)) {
        out += fmt::format(
            "    {:<14} not known: sold for this type, no price in any public "
            "list (a scenario gives it: pricing.usd_per_hour)\n",
            pricing::to_string(m));
      }
      continue;
    }
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

std::string render_catalog_list(const app::CatalogListing& listing, const std::string& format) {
  return format == "json" ? pricing::write_instances(listing.instances)
                          : list_table(listing.instances);
}

std::string render_catalog_instance(const pricing::Instance& instance, const std::string& format) {
  return format == "json" ? pricing::write_instances({&instance}) : show_text(instance);
}

std::string render_import_summary(const pricing::Catalog& catalog, const std::string& out) {
  std::size_t priced = 0;
  for (const auto& in : catalog.instances) priced += in.prices.on_demand ? 1 : 0;
  return fmt::format("{}: {} {} instances ({} with an on-demand price), region {}, retrieved {}\n",
                     out, catalog.instances.size(), catalog.provider, priced,
                     catalog.instances.front().region, catalog.instances.front().source.retrieved);
}

}  // namespace cirrus::reports
