#include "pricing/serving_cost.hpp"

#include <fmt/format.h>

namespace cirrus::pricing {

std::optional<ServingCost> serving_fleet_cost(const Instance* inst, double fleet_gpus,
                                              const ServedTokens& served, std::string& missing) {
  if (inst == nullptr) {
    missing = "no catalog instance (cluster.instance) to price the fleet with";
    return std::nullopt;
  }
  if (!inst->prices.on_demand || !inst->gpus || *inst->gpus <= 0) {
    missing = fmt::format("{} has no on-demand price or GPU count in the catalogs", inst->id);
    return std::nullopt;
  }
  ServingCost c;
  c.instance = inst->id;
  c.usd_per_instance_hour = *inst->prices.on_demand;
  c.instance_gpus = *inst->gpus;
  c.usd_per_hour = c.usd_per_instance_hour * fleet_gpus / c.instance_gpus;
  c.usd_total = c.usd_per_hour * served.seconds / 3600.0;
  if (served.input_tokens > 0) {
    c.usd_per_million_input = c.usd_total * served.prefill_share / (served.input_tokens / 1e6);
  }
  if (served.output_tokens > 0) {
    c.usd_per_million_output =
        c.usd_total * (1.0 - served.prefill_share) / (served.output_tokens / 1e6);
  }
  c.usd_per_million_tokens = c.usd_total / ((served.input_tokens + served.output_tokens) / 1e6);
  const PriceSource src = inst->source_of(PricingModel::kOnDemand);
  c.source = src.source;
  c.retrieved = src.retrieved;
  c.verified = src.verified && inst->verified;
  return c;
}

}  // namespace cirrus::pricing
