#pragma once
// The request-level discrete-event simulation of a serving fleet: requests arrive, a router
// sends each to a replica, and each replica runs scheduler iterations back to back while it has
// work (scheduler.hpp), each lasting what the iteration timer says (iteration_time.hpp).
//
// Events, in one queue (sim/event_queue.hpp) ordered by (integer picosecond time, phase,
// insertion): at one instant, arrivals first, then iteration ends, then the starts of replicas
// that were idle. So a request that arrives as an iteration ends joins the next one, and
// requests arriving together at an idle replica start together. Only the next arrival is in the
// queue at a time, so the queue holds at most replicas + 1 events.
//
// Besides each request's times it integrates the number of requests in the system over time,
// for Little's law (serving_metrics.hpp).
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "models/serving/batch_trace.hpp"
#include "models/serving/iteration_time.hpp"
#include "models/serving/prefix.hpp"
#include "models/serving/request.hpp"
#include "models/serving/scheduler.hpp"
#include "models/serving/serving_spec.hpp"

namespace cirrus::models {

struct FleetConfig {
  int replicas = 1;
  RouterKind router = RouterKind::kRoundRobin;
  SchedulerConfig scheduler;
  std::int64_t blocks = 0;  // KV blocks per replica
  // Preemption by swap (scheduler.config.preemption): the swap space per replica in blocks, and
  // the time to copy one block between a GPU and host memory, added to the iteration that does.
  std::int64_t host_blocks = 0;
  double swap_seconds_per_block = 0;
  // The requests' prefix ids (by request id); with prefix caching on, non-null.
  const PrefixIds* prefix = nullptr;
  BatchTrace* trace = nullptr;  // non-null: every iteration recorded (up to its cap)
};

struct ReplicaStats {
  double busy_s = 0;  // time with an iteration running
  std::int64_t iterations = 0;
  std::int64_t peak_blocks = 0;
  std::int64_t preemptions = 0;
  std::int64_t swaps = 0, swap_ins = 0;
  double swap_s = 0;                   // copy time added to its iterations
  std::int64_t evictions = 0;          // cached prefix blocks evicted
  std::int64_t prefix_hit_tokens = 0;  // prompt tokens found cached at first admission
  std::int64_t requests = 0;           // routed to it
};

struct FleetOutcome {
  std::vector<SeqState> requests;  // by request id: progress and times
  std::vector<ReplicaStats> replicas;
  sim::Time first_arrival, last_finish;
  double in_system_integral_s = 0;  // integral of the number of requests in the system, s
  double busy_prefill_s = 0;        // iteration time shared out by prefill tokens (cost split)
  bool prefix_caching = false;
};

// Thrown when a run would pass the engine's time range (about 106 days simulated).
class SimulationTooLong : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws std::invalid_argument for requests out of order, with bad ids or without tokens, and
// std::logic_error for one that cannot run on an empty replica (the caller's KV-cache check).
void check_fleet_requests(const std::vector<Request>& requests, const FleetConfig& config);

// Simulates `requests` (sorted by arrival; ids 0..n-1) to completion. Every request must fit an
// empty replica (the caller's KV-cache check): std::logic_error otherwise.
FleetOutcome simulate_fleet(const std::vector<Request>& requests, const FleetConfig& config,
                            IterationTimer& timer);

}  // namespace cirrus::models
