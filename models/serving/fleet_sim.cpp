#include "models/serving/fleet_sim.hpp"

#include <fmt/format.h>
#include <algorithm>

#include "models/serving/kv_cache.hpp"
#include "models/serving/router.hpp"
#include "sim/event_queue.hpp"

namespace cirrus::models {
namespace {

// Event kinds, which are also their phases inside one instant.
enum Kind : std::uint32_t { kArrival = 0, kIterationEnd = 1, kStart = 2 };

// Half the engine's range: no iteration end can overflow past it.
constexpr std::int64_t kTimeLimitPs = sim::Time::max().count() / 2;

}  // namespace

void check_fleet_requests(const std::vector<Request>& requests, const FleetConfig& config) {
  if (config.prefix != nullptr && config.prefix->requests() != requests.size()) {
    throw std::invalid_argument("simulate_fleet: prefix ids for another number of requests");
  }
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const Request& r = requests[i];
    if (r.id != i) throw std::invalid_argument("simulate_fleet: request ids must be 0..n-1");
    if (i > 0 && r.arrival < requests[i - 1].arrival) {
      throw std::invalid_argument("simulate_fleet: requests must be sorted by arrival");
    }
    if (r.input_len < 1 || r.output_len < 1) {
      throw std::invalid_argument("simulate_fleet: a request without input or output tokens");
    }
    // The last token is sampled, never written to the cache.
    const std::int64_t cached = std::int64_t{r.input_len} + r.output_len - 1;
    // Without chunking a prompt runs whole (after a recompute preemption, with its output so far;
    // reserving admission never preempts).
    const std::int64_t prompt = config.scheduler.reserve_full ? r.input_len : cached;
    if (blocks_for(cached, config.scheduler.block_size) > config.blocks ||
        (!config.scheduler.chunked_prefill && prompt > config.scheduler.max_num_batched_tokens)) {
      throw std::logic_error(
          fmt::format("simulate_fleet: request {} ({} + {} tokens) cannot run on an empty replica",
                      i, r.input_len, r.output_len));
    }
  }
}

FleetOutcome simulate_fleet(const std::vector<Request>& requests, const FleetConfig& config,
                            IterationTimer& timer) {
  check_fleet_requests(requests, config);
  FleetOutcome out;
  const std::size_t n = requests.size();
  const auto replicas = static_cast<std::size_t>(std::max(1, config.replicas));
  out.requests.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    out.requests[i].input = requests[i].input_len;
    out.requests[i].output = requests[i].output_len;
  }
  out.replicas.resize(replicas);
  out.prefix_caching = config.prefix != nullptr;
  if (n == 0) return out;

  std::vector<ReplicaScheduler> reps;
  reps.reserve(replicas);
  const ReplicaExtras extras{config.host_blocks, config.prefix};
  for (std::size_t i = 0; i < replicas; ++i) {
    reps.emplace_back(config.scheduler, config.blocks, out.requests, extras);
  }
  std::vector<sim::Time> started(replicas);
  std::vector<std::int64_t> busy_ps(replicas, 0);
  std::vector<double> prefill_share(replicas, 0.0);
  std::vector<char> busy(replicas, 0), kicked(replicas, 0);
  Router router(config.router);
  sim::EventQueue queue;
  queue.reserve(replicas + 2);

  const auto start = [&](std::size_t r, sim::Time now) {
    if (!reps[r].has_work()) {
      busy[r] = 0;
      return;
    }
    const BatchWork& work = reps[r].schedule(now);
    double seconds = timer.seconds(work);
    if (work.swapped_blocks > 0) {
      const double copy = static_cast<double>(work.swapped_blocks) * config.swap_seconds_per_block;
      out.replicas[r].swap_s += copy;
      seconds += copy;
    }
    const sim::Time dt = sim::Time::from_seconds(seconds);
    if (now.count() > kTimeLimitPs - dt.count()) {
      throw SimulationTooLong(fmt::format(
          "the fleet is still serving after {:.0f} days of simulated time (the engine's range)",
          now.seconds() / 86400.0));
    }
    prefill_share[r] = work.tokens > 0 ? dt.seconds() * static_cast<double>(work.prefill_tokens) /
                                             static_cast<double>(work.tokens)
                                       : 0.0;
    busy[r] = 1;
    started[r] = now;
    ++out.replicas[r].iterations;
    if (config.trace != nullptr) {
      config.trace->add({static_cast<std::uint32_t>(r), now, now + dt, work.tokens,
                         work.prefill_tokens, work.seqs, reps[r].used_blocks(),
                         static_cast<std::int64_t>(reps[r].waiting()), work.swapped_blocks});
    }
    queue.push(now + dt, kIterationEnd, kIterationEnd, static_cast<std::uint32_t>(r));
  };

  out.first_arrival = requests.front().arrival;
  queue.push(requests.front().arrival, kArrival, kArrival, 0);
  std::size_t next = 1;
  std::int64_t in_system = 0;
  sim::Time last = out.first_arrival;
  std::vector<std::uint32_t> finished;
  while (!queue.empty()) {
    const sim::Event e = queue.pop();
    out.in_system_integral_s += static_cast<double>(in_system) * (e.time - last).seconds();
    last = e.time;
    switch (e.kind) {
      case kArrival: {
        const std::size_t r = router.pick(reps, e.id);
        reps[r].enqueue(e.id);
        ++out.replicas[r].requests;
        ++in_system;
        if (next < n) {
          queue.push(requests[next].arrival, kArrival, kArrival, static_cast<std::uint32_t>(next));
          ++next;
        }
        if (!busy[r] && !kicked[r]) {
          kicked[r] = 1;
          queue.push(e.time, kStart, kStart, static_cast<std::uint32_t>(r));
        }
        break;
      }
      case kIterationEnd: {
        const std::size_t r = e.id;
        finished.clear();
        reps[r].complete(e.time, finished);
        in_system -= static_cast<std::int64_t>(finished.size());
        busy_ps[r] += (e.time - started[r]).count();
        out.busy_prefill_s += prefill_share[r];
        if (!finished.empty()) out.last_finish = e.time;
        start(r, e.time);
        break;
      }
      default: {  // kStart
        const std::size_t r = e.id;
        kicked[r] = 0;
        if (!busy[r]) start(r, e.time);
        break;
      }
    }
  }
  for (std::size_t r = 0; r < replicas; ++r) {
    out.replicas[r].busy_s = static_cast<double>(busy_ps[r]) * 1e-12;
    out.replicas[r].peak_blocks = reps[r].peak_used_blocks();
    out.replicas[r].preemptions = reps[r].preemptions();
    out.replicas[r].swaps = reps[r].swaps();
    out.replicas[r].swap_ins = reps[r].swap_ins();
    out.replicas[r].evictions = reps[r].evictions();
    out.replicas[r].prefix_hit_tokens = reps[r].prefix_hit_tokens();
  }
  return out;
}

}  // namespace cirrus::models
