#include "plan/instance_options.hpp"

#include <fmt/format.h>

#include "common/input_error.hpp"
#include "common/units.hpp"
#include "models/systems/checkpoint.hpp"
#include "plan/auto_instances.hpp"
#include "pricing/capacity_products.hpp"
#include "pricing/cost_model.hpp"

namespace cirrus::plan {
namespace {

// A capacity product is an option only for the instance types sold under it, with a price (the
// catalog's or the scenario's); whether a run fits its terms is decided per candidate.
std::optional<std::string> capacity_skip_reason(const pricing::Instance& inst,
                                                pricing::PricingModel model) {
  if (!pricing::is_capacity_product(model)) return std::nullopt;
  if (auto why = pricing::not_offered_reason(inst, model)) return why;
  if (!inst.prices.get(model)) {
    return fmt::format("no {} price (the catalog has none; give pricing.usd_per_hour)",
                       pricing::to_string(model));
  }
  return std::nullopt;
}

}  // namespace

models::NodeSpec node_of(const pricing::Instance& instance, const std::string& file,
                         const std::string& path) {
  if (instance.gpu.empty() || instance.node.empty()) {
    throw InputError(file, path, "an instance with a GPU cirrus can simulate",
                     fmt::format("{} ({})", instance.id,
                                 instance.gpu_model.empty() ? "no GPU model" : instance.gpu_model));
  }
  auto node = models::find_node(instance.node);
  if (!node) {
    throw InputError(file, path, "a catalog entry whose node preset exists",
                     fmt::format("{} names node '{}'", instance.id, instance.node));
  }
  if (instance.nics && instance.nic_gbps && *instance.nics > 0) {
    node->nics = *instance.nics;
    node->nic_bw = *instance.nic_gbps * kGbps;
    node->source = fmt::format("{} NICs x {} Gb/s from the {} catalog entry; {}", *instance.nics,
                               *instance.nic_gbps, instance.id, node->source);
  }
  node->id = instance.id;
  return *node;
}

ResolvedInstances resolve_instances(const scenarios::Scenario& s,
                                    const std::vector<pricing::Catalog>& catalogs) {
  ResolvedInstances out;
  const auto model = s.pricing.model;
  auto add = [&](const pricing::Instance& inst, const std::string& path) {
    if (auto why = capacity_skip_reason(inst, model)) {
      out.skipped.emplace_back(inst.id, *why);
      return;
    }
    InstanceOption o;
    o.id = inst.id;
    o.node = s.node ? *s.node : node_of(inst, s.file, path);
    o.usd_per_hour = inst.prices.get(model);
    const auto src = inst.source_of(model);
    o.price_note = fmt::format("{} ({}{})", src.source, src.retrieved,
                               src.verified ? "" : ", recalled, unverified");
    o.catalog = inst.provider + " " + src.retrieved;
    out.options.push_back(std::move(o));
    out.catalog_entries.push_back(&inst);
  };
  if (s.instance.is_auto) {
    for (const auto& c : catalogs) {
      for (const auto& inst : c.instances) {
        if (auto why = auto_skip_reason(inst)) {
          out.skipped.emplace_back(inst.id, *why);
          continue;
        }
        add(inst, "cluster.instance");
      }
    }
  } else if (!s.instance.values.empty()) {
    for (std::size_t i = 0; i < s.instance.values.size(); ++i) {
      const std::string path = s.instance.values.size() == 1
                                   ? std::string("cluster.instance")
                                   : fmt::format("cluster.instance[{}]", i);
      add(pricing::lookup_instance(catalogs, s.instance.values[i], s.file, path), path);
    }
  } else if (s.node) {
    InstanceOption o;
    o.id = s.node_id;
    o.node = *s.node;
    o.price_note = "no instance given: no price";
    out.options.push_back(std::move(o));
    out.catalog_entries.push_back(nullptr);
  }
  if (out.options.empty() && !out.skipped.empty()) {
    // Every instance was left out: say why here rather than "no instance to search".
    const auto& [id, why] = out.skipped.front();
    throw InputError(s.file, "cluster.instance",
                     fmt::format("an instance that can be priced as {}", pricing::to_string(model)),
                     out.skipped.size() == 1 ? fmt::format("{} ({})", id, why)
                                             : fmt::format("{} instances left out, e.g. {} ({})",
                                                           out.skipped.size(), id, why));
  }
  return out;
}

EconomicsFn catalog_economics(const scenarios::Scenario& s, const ResolvedInstances& resolved) {
  const auto model = s.pricing.model;
  const double tokens_per_step =
      static_cast<double>(s.training.global_batch) * static_cast<double>(s.model.seq_len);
  const double total_tokens = s.training.tokens;
  // Checkpoints hold 16-bit weights plus fp32 master weights and Adam's two moments:
  // 2 + 12 bytes per parameter (the ZeRO paper's K = 12).
  const double checkpoint_bytes = models::checkpoint_bytes(s.model, s.training);
  const double reuse = s.pricing.committed_reuse;
  return [&resolved, model, tokens_per_step, total_tokens, checkpoint_bytes, reuse](
             const InstanceOption& inst, int nodes, double step_s, double steps) {
    RunEconomics e;
    e.run_seconds = step_s * steps;
    const pricing::Instance* entry = nullptr;
    for (std::size_t i = 0; i < resolved.options.size(); ++i) {
      if (resolved.options[i].id == inst.id) entry = resolved.catalog_entries[i];
    }
    if (entry == nullptr) return e;
    pricing::CostInput ci =
        pricing::make_cost_input(*entry, nodes, step_s, tokens_per_step, total_tokens);
    ci.checkpoint_bytes = checkpoint_bytes;
    ci.committed_reuse = reuse;
    const pricing::CostEstimate est = pricing::estimate_cost(ci);
    const auto& run = est.run(model);
    if (!run) {
      if (const auto& why = est.why_unavailable(model)) e.unfit = why->rule;
      return e;
    }
    e.usd_per_hour = run->usd_per_hour;
    if (pricing::is_capacity_product(model)) {
      e.billing = run->billing;
      if (total_tokens > 0) {
        e.billed_hours = run->term_hours > 0 ? run->term_hours : run->run_time_s / kSecondsPerHour;
        e.unused_hours = run->unused_instance_hours;
      }
    }
    if (total_tokens > 0) {
      e.run_seconds = run->run_time_s;
      e.usd_total = run->usd_total;
    } else {
      e.usd_total = run->usd_per_hour * e.run_seconds / kSecondsPerHour;
    }
    return e;
  };
}

}  // namespace cirrus::plan
