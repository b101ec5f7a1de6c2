#pragma once
// `serve` with a fleet that changes while it serves (serving.autoscaling, serving.spot): the
// figures a new replica's start rests on, each with its source; the interruption rate and notice
// (the scenario's, else the catalog's spot defaults, pricing/cost_model.hpp); the fleet simulated
// (models/serving/dynamic_fleet.hpp) and measured, hour by hour too.
#include <string>
#include <vector>

#include "app/serving_fleet.hpp"
#include "models/serving/hourly_slo.hpp"
#include "pricing/catalog.hpp"

namespace cirrus::app {

// A cloud GPU VM from the request to a running serving container: a few minutes (recalled,
// unverified: providers publish no figure; GPU VMs commonly take 2-5 minutes to boot and pull
// an image).
inline constexpr double kDefaultInstanceStartS = 180.0;
inline constexpr const char* kDefaultInstanceStartSource =
    "recalled, unverified: a cloud GPU VM boots and starts its container in a few minutes";

struct ScalingFigures {
  double instance_start_s = 0;
  std::string start_source;
  double weight_bytes = 0;  // one replica's: weight_bytes_per_gpu x tp
  double storage_bps = 0;
  std::string storage_source;
  double scale_up_delay_s = 0;  // instance start + weight bytes / storage bandwidth
  double interruptions_per_hour = 0;
  std::string rate_source;
  double notice_s = 0;
  std::string notice_source;
};

struct ScaledFleet {
  ScalingFigures figures;
  bool autoscaled = false, spot = false;
  int scale_ups = 0, scale_downs = 0, launched = 0, interruptions = 0, peak_replicas = 0;
  std::int64_t rerouted = 0;
  double replica_seconds = 0;
  std::vector<models::HourRow> hours;
};

// The figures of `spec` on this fleet; InputError at serving.spot.interruptions_per_hour for a
// spot block without a rate and no catalog instance to take one from.
ScalingFigures scaling_figures(const scenarios::Scenario& s, const models::ServingSpec& spec,
                               const FleetSetup& setup, const pricing::Instance* instance);

struct ScaledRun {
  FleetRun run;
  ScaledFleet fleet;
};

// Simulates the changing fleet; InputError at serving.arrivals past the engine's range.
ScaledRun simulate_scaled_fleet(const FleetSetup& setup, const models::KvCacheSize& kv,
                                const models::ServingSpec& spec, const ScalingFigures& figures,
                                const std::vector<models::Request>& requests,
                                const std::string& file);

}  // namespace cirrus::app
