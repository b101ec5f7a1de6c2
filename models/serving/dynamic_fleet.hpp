#pragma once
// A serving fleet whose replicas join and leave while it serves (fleet_sim.hpp keeps the fixed
// fleet, and its speed): an autoscaler, spot interruptions, or both.
//
// Replicas. Each is paid from its launch to its leaving. The initial replicas are warm at the
// first arrival; one launched later starts (scale_up_delay: the instance's start plus the
// weights read from storage) and then takes requests. The router sends requests only to the
// replicas taking them (Router::pick_among); while none is, arrivals wait in a fleet queue that
// the next replica to join takes.
//
// Autoscaler (Kubernetes' HPA rule for a per-replica average, recalled, unverified): every
// interval_s from the first arrival, the recommendation is ceil(M / target), clamped to
// [min, max], where M is the requests in the system (target-concurrency) or those waiting for
// their first scheduling (queue-length, KEDA's queue rule), unless M / (replicas x target) is
// within 1 +/- tolerance (HPA's --horizontal-pod-autoscaler-tolerance, default 0.1): then the
// recommendation is the fleet as it is, so that a load near the target does not flap the fleet
// by one replica at every decision. It scales up at once to the
// recommendation; it scales down only to the highest recommendation of the last
// scale_down_delay_s (HPA's stabilization window). The fleet counted is the replicas starting or
// taking requests. Scaling up first takes back draining replicas (lowest index first), then
// launches new ones; scaling down first cancels starting replicas (newest first), then drains
// the ones with the fewest requests (the highest index among equals): a draining replica takes
// no new requests and leaves when its last request finishes.
//
// Spot interruptions: each replica's instance is interrupted at the times of a Poisson process
// of `interruptions_per_hour` from its launch (a stream of its own from the seed: the arrivals
// are unchanged). At the notice the replica stops taking requests (it leaves early if empty)
// and, without an autoscaler, a replacement is launched at once to keep the fleet's size (the
// autoscaler replaces it at its next decision); notice_s later the instance is reclaimed: the
// requests it still holds lose their KV cache and are routed again (scheduler.hpp, evacuate).
//
// Events are ordered in one instant: joins, notices, arrivals, iteration ends, reclamations,
// autoscaler decisions, starts. Little's law holds as in fleet_sim.hpp: the fleet integrates the
// requests in the system, wherever they wait.
#include <cstdint>
#include <optional>
#include <vector>

#include "models/serving/fleet_sim.hpp"
#include "models/serving/iteration_time.hpp"
#include "models/serving/request.hpp"
#include "models/serving/serving_spec.hpp"

namespace cirrus::models {

struct AutoscalerConfig {
  AutoscalePolicy policy = AutoscalePolicy::kTargetConcurrency;
  double target = 8;
  int min_replicas = 1;
  int max_replicas = 1;
  double interval_s = 30;
  double scale_down_delay_s = 300;
  double tolerance = 0.1;
};

struct DynamicFleetConfig {
  FleetConfig fleet;  // fleet.replicas: the initial replicas (the fixed size without autoscaler)
  std::optional<AutoscalerConfig> autoscaler;
  double scale_up_delay_s = 0;        // instance start + weights / storage bandwidth
  double interruptions_per_hour = 0;  // per replica; 0: none
  double notice_s = 0;
  std::uint64_t seed = 0;  // the interruptions' stream
};

// One replica's life: paid from `launch` to `leave`; serving from `joined` (max: never did).
struct ReplicaSpan {
  sim::Time launch, joined = sim::Time::max(), leave = sim::Time::max();
  bool interrupted = false;  // reclaimed with its notice
};

struct DynamicFleetOutcome {
  FleetOutcome fleet;              // fleet.replicas: every replica ever launched, in launch order
  std::vector<ReplicaSpan> spans;  // the same order; leave is at most the last finish
  int scale_ups = 0, scale_downs = 0;  // autoscaler decisions that changed the fleet
  int launched = 0;                    // replicas launched after the start (incl. replacements)
  int interruptions = 0;               // notices received while the fleet served
  std::int64_t rerouted = 0;           // requests routed again after a reclamation
  int peak_replicas = 0;               // the most paid for at once
  double replica_seconds = 0;          // sum of leave - launch
};

// Simulates `requests` (as simulate_fleet) through a fleet that changes. std::invalid_argument
// for an autoscaler with min > max, a non-positive target or interval, or a negative delay.
DynamicFleetOutcome simulate_dynamic_fleet(const std::vector<Request>& requests,
                                           const DynamicFleetConfig& config, IterationTimer& timer);

}  // namespace cirrus::models
