#include "models/serving/disagg_sim.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "models/serving/kv_cache.hpp"
#include "models/serving/router.hpp"
#include "sim/event_queue.hpp"

namespace cirrus::models {
namespace {

// Event kinds, which are also their phases inside one instant.
enum Kind : std::uint32_t { kArrival = 0, kKvArrival = 1, kIterationEnd = 2, kStart = 3 };

// Half the engine's range, as in fleet_sim.cpp.
constexpr std::int64_t kTimeLimitPs = sim::Time::max().count() / 2;

void check_requests(const std::vector<Request>& requests, const DisaggConfig& c) {
  if (c.prefill_replicas < 1 || c.decode_replicas < 1 || !(c.link.bytes_per_s > 0) ||
      c.link.latency_s < 0 || c.kv_bytes_per_token < 0) {
    throw std::invalid_argument(
        "simulate_disagg: a pool without replicas or a link without bandwidth");
  }
  const SchedulerConfig& s = c.scheduler;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const Request& r = requests[i];
    if (r.id != i) throw std::invalid_argument("simulate_disagg: request ids must be 0..n-1");
    if (i > 0 && r.arrival < requests[i - 1].arrival) {
      throw std::invalid_argument("simulate_disagg: requests must be sorted by arrival");
    }
    if (r.input_len < 1 || r.output_len < 1) {
      throw std::invalid_argument("simulate_disagg: a request without input or output tokens");
    }
    const std::int64_t cached = std::int64_t{r.input_len} + r.output_len - 1;
    // A decode replica that preempts recomputes the prompt and the output so far.
    const std::int64_t recompute = s.reserve_full ? 1 : cached;
    if (blocks_for(r.input_len, s.block_size) > c.prefill_blocks ||
        blocks_for(cached, s.block_size) > c.decode_blocks ||
        (!s.chunked_prefill &&
         std::max<std::int64_t>(r.input_len, recompute) > s.max_num_batched_tokens)) {
      throw std::logic_error(
          fmt::format("simulate_disagg: request {} ({} + {} tokens) cannot run on empty replicas",
                      i, r.input_len, r.output_len));
    }
  }
}

}  // namespace

DisaggOutcome simulate_disagg(const std::vector<Request>& requests, const DisaggConfig& config,
                              IterationTimer& prefill_timer, IterationTimer& decode_timer) {
  check_requests(requests, config);
  DisaggOutcome out;
  FleetOutcome& f = out.fleet;
  const std::size_t n = requests.size();
  const auto pn = static_cast<std::size_t>(config.prefill_replicas);
  const auto dn = static_cast<std::size_t>(config.decode_replicas);
  f.requests.resize(n);
  // The prefill pool's view of a request: its prompt and the one token sampled after it.
  std::vector<SeqState> prompts(n);
  for (std::size_t i = 0; i < n; ++i) {
    f.requests[i].input = prompts[i].input = requests[i].input_len;
    f.requests[i].output = requests[i].output_len;
    prompts[i].output = 1;
  }
  f.replicas.resize(pn + dn);
  if (n == 0) return out;

  std::vector<ReplicaScheduler> pre, dec;
  pre.reserve(pn);
  dec.reserve(dn);
  for (std::size_t i = 0; i < pn; ++i)
    pre.emplace_back(config.scheduler, config.prefill_blocks, prompts);
  for (std::size_t i = 0; i < dn; ++i)
    dec.emplace_back(config.scheduler, config.decode_blocks, f.requests);
  const auto rep = [&](std::size_t r) -> ReplicaScheduler& {
    return r < pn ? pre[r] : dec[r - pn];
  };

  const std::size_t replicas = pn + dn;
  std::vector<sim::Time> started(replicas);
  std::vector<std::int64_t> busy_ps(replicas, 0);
  std::vector<double> prefill_share(replicas, 0.0);
  std::vector<char> busy(replicas, 0), kicked(replicas, 0);
  std::vector<std::int64_t> inbound(dn, 0);  // transfers bound for each decode replica
  std::vector<sim::Time> link_free(dn, sim::Time::zero());
  std::vector<std::uint32_t> dest(n, 0);
  Router prefill_router(config.router);
  std::size_t next_decode = 0;
  sim::EventQueue queue;
  queue.reserve(replicas + 2);

  const auto check_time = [&](sim::Time now, sim::Time dt) {
    if (now.count() > kTimeLimitPs - dt.count()) {
      throw SimulationTooLong(fmt::format(
          "the fleet is still serving after {:.0f} days of simulated time (the engine's range)",
          now.seconds() / 86400.0));
    }
  };
  const auto start = [&](std::size_t r, sim::Time now) {
    if (!rep(r).has_work()) {
      busy[r] = 0;
      return;
    }
    const BatchWork& work = rep(r).schedule(now);
    IterationTimer& timer = r < pn ? prefill_timer : decode_timer;
    const sim::Time dt = sim::Time::from_seconds(timer.seconds(work));
    check_time(now, dt);
    prefill_share[r] = work.tokens > 0 ? dt.seconds() * static_cast<double>(work.prefill_tokens) /
                                             static_cast<double>(work.tokens)
                                       : 0.0;
    busy[r] = 1;
    started[r] = now;
    ++f.replicas[r].iterations;
    queue.push(now + dt, kIterationEnd, kIterationEnd, static_cast<std::uint32_t>(r));
  };
  const auto kick = [&](std::size_t r, sim::Time now) {
    if (busy[r] || kicked[r]) return;
    kicked[r] = 1;
    queue.push(now, kStart, kStart, static_cast<std::uint32_t>(r));
  };
  // The decode replica a prompt's KV goes to: the policy over the decode pool, counting the
  // transfers on their way as outstanding.
  const auto pick_decode = [&]() -> std::size_t {
    if (config.router == RouterKind::kRoundRobin) {
      const std::size_t d = next_decode;
      next_decode = (next_decode + 1) % dn;
      return d;
    }
    std::size_t best = 0;
    std::int64_t best_load = std::numeric_limits<std::int64_t>::max();
    for (std::size_t d = 0; d < dn; ++d) {
      const std::int64_t load = static_cast<std::int64_t>(dec[d].outstanding()) + inbound[d];
      if (load < best_load) {
        best = d;
        best_load = load;
      }
    }
    return best;
  };

  f.first_arrival = requests.front().arrival;
  queue.push(requests.front().arrival, kArrival, kArrival, 0);
  std::size_t next = 1;
  std::int64_t in_system = 0;
  sim::Time last = f.first_arrival;
  std::vector<std::uint32_t> finished;
  out.transfer_s.reserve(n);
  while (!queue.empty()) {
    const sim::Event e = queue.pop();
    f.in_system_integral_s += static_cast<double>(in_system) * (e.time - last).seconds();
    last = e.time;
    switch (e.kind) {
      case kArrival: {
        const std::size_t r = prefill_router.pick(pre, e.id);
        pre[r].enqueue(e.id);
        ++f.replicas[r].requests;
        ++in_system;
        if (next < n) {
          queue.push(requests[next].arrival, kArrival, kArrival, static_cast<std::uint32_t>(next));
          ++next;
        }
        kick(r, e.time);
        break;
      }
      case kKvArrival: {
        const std::size_t d = dest[e.id];
        --inbound[d];
        dec[d].enqueue(e.id);
        ++f.replicas[pn + d].requests;
        kick(pn + d, e.time);
        break;
      }
      case kIterationEnd: {
        const std::size_t r = e.id;
        finished.clear();
        rep(r).complete(e.time, finished);
        busy_ps[r] += (e.time - started[r]).count();
        f.busy_prefill_s += prefill_share[r];
        if (r >= pn) {
          in_system -= static_cast<std::int64_t>(finished.size());
          if (!finished.empty()) f.last_finish = e.time;
        }
        // A prompt done: its first token is out; its KV leaves for a decode replica.
        for (std::size_t k = 0; r < pn && k < finished.size(); ++k) {
          const std::uint32_t id = finished[k];
          const SeqState& p = prompts[id];
          SeqState& s = f.requests[id];
          s.first_scheduled = p.first_scheduled;
          s.first_token = p.first_token;
          s.generated = 1;
          s.computed = s.input;
          if (s.output == 1) {
            s.finish = e.time;
            --in_system;
            f.last_finish = e.time;
            continue;
          }
          const std::size_t d = pick_decode();
          ++inbound[d];
          dest[id] = static_cast<std::uint32_t>(d);
          const double bytes = static_cast<double>(s.input) * config.kv_bytes_per_token;
          const sim::Time begin = std::max(e.time, link_free[d]);
          const sim::Time hold = sim::Time::from_seconds(config.link.hold_seconds(bytes));
          const sim::Time land = begin + hold + sim::Time::from_seconds(config.link.latency_s);
          check_time(begin, land - begin);
          link_free[d] = begin + hold;
          out.transfer_s.push_back((land - e.time).seconds());
          out.transfer_bytes += bytes;
          queue.push(land, kKvArrival, kKvArrival, id);
        }
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
    f.replicas[r].busy_s = static_cast<double>(busy_ps[r]) * 1e-12;
    f.replicas[r].peak_blocks = rep(r).peak_used_blocks();
    f.replicas[r].preemptions = rep(r).preemptions();
  }
  return out;
}

}  // namespace cirrus::models
