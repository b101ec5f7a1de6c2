#pragma once
// The price of a serving fleet (`cirrus serve` with a `serving` block, and each candidate of a
// serving plan): the instance's on-demand hourly price for the share of its GPUs the fleet uses
// (replicas x tp of them), over the time served; split between input and output tokens by the
// share of busy time spent on prefill tokens.
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

}  // namespace cirrus::pricing
