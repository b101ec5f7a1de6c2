#include "app/serving_scaling.hpp"

#include <fmt/format.h>

#include "common/input_error.hpp"
#include "models/serving/dynamic_fleet.hpp"
#include "models/serving/kv_cache.hpp"
#include "pricing/cost_model.hpp"

namespace cirrus::app {

ScalingFigures scaling_figures(const scenarios::Scenario& s, const models::ServingSpec& spec,
                               const FleetSetup& setup, const pricing::Instance* instance) {
  ScalingFigures f;
  const auto& a = spec.autoscaling;
  if (a && a->instance_start_s) {
    f.instance_start_s = *a->instance_start_s;
    f.start_source = "serving.autoscaling.instance_start_s";
  } else {
    f.instance_start_s = kDefaultInstanceStartS;
    f.start_source = kDefaultInstanceStartSource;
  }
  if (a && a->storage_bytes_per_s) {
    f.storage_bps = *a->storage_bytes_per_s;
    f.storage_source = "serving.autoscaling.model_load.storage_gbyte_per_s";
  } else {
    // A new instance has nothing cached on its local NVMe: the weights come from network
    // storage, at the per-node rate the training path reads checkpoints back with.
    f.storage_bps = pricing::kDefaultNodeStorageBps;
    f.storage_source = pricing::kDefaultNodeStorageSource;
  }
  f.weight_bytes = models::weight_bytes_per_gpu(setup.model, setup.numerics, setup.tp) * setup.tp;
  f.scale_up_delay_s = f.instance_start_s + f.weight_bytes / f.storage_bps;
  if (spec.spot) {
    if (spec.spot->interruptions_per_hour) {
      f.interruptions_per_hour = *spec.spot->interruptions_per_hour;
      f.rate_source = "serving.spot.interruptions_per_hour";
    } else if (instance != nullptr) {
      const pricing::RateDefault r = pricing::default_spot_interruption_rate(*instance);
      f.interruptions_per_hour = r.per_instance_hour;
      f.rate_source = r.source + " (per instance, taken per replica)";
    } else {
      throw InputError(s.file, "serving.spot.interruptions_per_hour",
                       "a rate per replica-hour (no catalog instance to take one from)", "none");
    }
    if (spec.spot->notice_s) {
      f.notice_s = *spec.spot->notice_s;
      f.notice_source = "serving.spot.notice_s";
    } else {
      const std::string provider = instance != nullptr ? instance->provider : "aws";
      f.notice_s = pricing::spot_notice_s(provider);
      f.notice_source = fmt::format("{}'s spot notice (REFERENCE §4)", provider);
    }
  }
  return f;
}

ScaledRun simulate_scaled_fleet(const FleetSetup& setup, const models::KvCacheSize& kv,
                                const models::ServingSpec& spec, const ScalingFigures& figures,
                                const std::vector<models::Request>& requests,
                                const std::string& file) {
  models::IterationModel timer(iteration_setup(setup));
  models::DynamicFleetConfig dc;
  dc.fleet.replicas = setup.replicas;
  dc.fleet.router = setup.router;
  dc.fleet.scheduler = setup.scheduler;
  dc.fleet.blocks = kv.blocks;
  if (const auto& a = spec.autoscaling) {
    dc.autoscaler = models::AutoscalerConfig{a->policy,       a->target,     a->min_replicas,
                                             a->max_replicas, a->interval_s, a->scale_down_delay_s,
                                             a->tolerance};
  }
  dc.scale_up_delay_s = figures.scale_up_delay_s;
  dc.interruptions_per_hour = figures.interruptions_per_hour;
  dc.notice_s = figures.notice_s;
  dc.seed = spec.seed;
  models::DynamicFleetOutcome o;
  try {
    o = models::simulate_dynamic_fleet(requests, dc, timer);
  } catch (const models::SimulationTooLong& e) {
    throw InputError(file, "serving.arrivals", "a load the fleet serves within the engine's range",
                     e.what());
  }
  ScaledRun out;
  out.run.metrics = models::serving_metrics(requests, o.fleet, spec.slo, kv.blocks);
  // Busy over the time paid for, not over replicas x makespan: replicas came and went.
  double busy = 0;
  for (const models::ReplicaStats& r : o.fleet.replicas) busy += r.busy_s;
  out.run.metrics.busy_fraction = o.replica_seconds > 0 ? busy / o.replica_seconds : 0.0;
  out.run.assumptions = timer.compute().assumptions();
  ScaledFleet& f = out.fleet;
  f.figures = figures;
  f.autoscaled = spec.autoscaling.has_value();
  f.spot = spec.spot.has_value();
  f.scale_ups = o.scale_ups;
  f.scale_downs = o.scale_downs;
  f.launched = o.launched;
  f.interruptions = o.interruptions;
  f.peak_replicas = o.peak_replicas;
  f.rerouted = o.rerouted;
  f.replica_seconds = o.replica_seconds;
  f.hours = models::hourly_slo(requests, o, spec.slo);
  return out;
}

}  // namespace cirrus::app
