#pragma once
// The price of a serving fleet (`cirrus serve` with a `serving` block, and each candidate of a
// serving plan): the instance's on-demand hourly price for the share of its GPUs the fleet uses
// (replicas x tp of them), over the time served; split between input and output tokens by the
// share of busy time spent on prefill tokens.
//
// Under a pricing model (the scenario's pricing.model, spot when serving.spot simulates the
// interruptions): each replica costs the model's hourly price x tp / the instance's GPUs for
// each second it is paid for (from its launch to its leaving; a fixed fleet: replicas x the
// run). Committed pricing bills its commitment whether used or not: the commitment is taken as
// the most replicas paid for at once, reserved for the whole run, and the cost of the
// replica-hours it leaves unused is charged less pricing.committed_reuse (as
// pricing/cost_model.hpp bills a training run's unused term). The term itself (1 or 3 years)
// is taken as filled by the service running on beyond this run, which is its sample. Capacity
// blocks and flex-start are sold for training runs' terms (capacity_products.hpp): no serving
// price.
#include <optional>
#include <string>

#include "pricing/catalog.hpp"

namespace cirrus::pricing {

struct ServingCost {
  std::string instance;  // catalog id
  double usd_per_instance_hour = 0;
  double instance_gpus = 0;
  double usd_per_hour = 0;  // the fleet's share
  double usd_total = 0;     // over the time served
  double usd_per_million_input = 0;
  double usd_per_million_output = 0;
  double usd_per_million_tokens = 0;  // input and output together
  std::string source, retrieved;
  bool verified = true;
  // Added with pricing models and autoscaling: what the fleet was billed under and for.
  PricingModel pricing = PricingModel::kOnDemand;
  double usd_per_replica_hour = 0;
  double replica_hours = 0;         // paid
  double committed_unused_usd = 0;  // committed pricing: the unused commitment's charge
};

// How long a fleet's replicas were paid for.
struct FleetUsage {
  double replica_gpus = 1;     // tp
  double replica_seconds = 0;  // sum over replicas of leave - launch
  double peak_replicas = 1;    // the most paid for at once
  double run_seconds = 0;      // first arrival to last finish
};

// What a fleet served: for how long, how many tokens, and the prefill share of its busy time.
struct ServedTokens {
  double seconds = 0;
  double input_tokens = 0;
  double output_tokens = 0;
  double prefill_share = 0;
};

// nullopt, with `missing` saying why, for no instance (null) or one without an on-demand price
// or GPU count.
std::optional<ServingCost> serving_fleet_cost(const Instance* instance, double fleet_gpus,
                                              const ServedTokens& served, std::string& missing);

// The same under `model` (above). nullopt, with `missing` saying why, also for a price the
// catalog does not have for `model` and for a capacity product.
std::optional<ServingCost> serving_fleet_cost(const Instance* instance, PricingModel model,
                                              double committed_reuse, const FleetUsage& usage,
                                              const ServedTokens& served, std::string& missing);

}  // namespace cirrus::pricing
