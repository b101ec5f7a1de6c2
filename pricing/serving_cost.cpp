#include "pricing/serving_cost.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "pricing/capacity_products.hpp"

namespace cirrus::pricing {

std::optional<ServingCost> serving_fleet_cost(const Instance* inst, PricingModel model,
                                              double committed_reuse, const FleetUsage& usage,
                                              const ServedTokens& served, std::string& missing) {
  if (inst == nullptr) {
    missing = "no catalog instance (cluster.instance) to price the fleet with";
    return std::nullopt;
  }
  if (is_capacity_product(model)) {
    missing = fmt::format(
        "{} is sold for a training run's term (a block paid up front, or at most 7 days); serving "
        "is priced on-demand, spot or committed",
        to_string(model));
    return std::nullopt;
  }
  const std::optional<double> price = inst->prices.get(model);
  if (!price || !inst->gpus || *inst->gpus <= 0) {
    missing =
        fmt::format("{} has no {} price or GPU count in the catalogs", inst->id, to_string(model));
    return std::nullopt;
  }
  ServingCost c;
  c.instance = inst->id;
  c.pricing = model;
  c.usd_per_instance_hour = *price;
  c.instance_gpus = *inst->gpus;
  c.usd_per_replica_hour = c.usd_per_instance_hour * usage.replica_gpus / c.instance_gpus;
  c.replica_hours = usage.replica_seconds / 3600.0;
  c.usd_total = c.usd_per_replica_hour * usage.replica_seconds / 3600.0;
  if (model == PricingModel::kCommitted1y || model == PricingModel::kCommitted3y) {
    const double reserved_h = usage.peak_replicas * usage.run_seconds / 3600.0;
    c.committed_unused_usd = c.usd_per_replica_hour * std::max(0.0, reserved_h - c.replica_hours) *
                             (1 - committed_reuse);
    c.usd_total += c.committed_unused_usd;
  }
  // The fleet's mean rate over the run (a fixed fleet's replicas x the replica's rate).
  c.usd_per_hour = usage.run_seconds > 0 ? c.usd_total * 3600.0 / usage.run_seconds
                                         : c.usd_per_replica_hour * usage.peak_replicas;
  if (served.input_tokens > 0) {
    c.usd_per_million_input = c.usd_total * served.prefill_share / (served.input_tokens / 1e6);
  }
  if (served.output_tokens > 0) {
    c.usd_per_million_output =
        c.usd_total * (1.0 - served.prefill_share) / (served.output_tokens / 1e6);
  }
  c.usd_per_million_tokens = c.usd_total / ((served.input_tokens + served.output_tokens) / 1e6);
  const PriceSource src = inst->source_of(model);
  c.source = src.source;
  c.retrieved = src.retrieved;
  c.verified = src.verified && inst->verified;
  return c;
}

std::optional<ServingCost> serving_fleet_cost(const Instance* inst, double fleet_gpus,
                                              const ServedTokens& served, std::string& missing) {
  // The whole fleet as one replica paid for the run.
  const FleetUsage usage{fleet_gpus, served.seconds, 1, served.seconds};
  return serving_fleet_cost(inst, PricingModel::kOnDemand, 0, usage, served, missing);
}

}  // namespace cirrus::pricing
