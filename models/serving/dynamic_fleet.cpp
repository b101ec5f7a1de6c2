#include "models/serving/dynamic_fleet.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <stdexcept>
#include <utility>

#include "common/rng.hpp"
#include "models/serving/arrivals.hpp"
#include "models/serving/router.hpp"
#include "sim/event_queue.hpp"

namespace cirrus::models {
namespace {

// Event kinds, which are also their phases inside one instant.
enum Kind : std::uint32_t {
  kJoin = 0,
  kNotice = 1,
  kArrival = 2,
  kIterationEnd = 3,
  kReclaim = 4,
  kTick = 5,
  kStart = 6
};

constexpr std::int64_t kTimeLimitPs = sim::Time::max().count() / 2;

enum class State : std::uint8_t { kStarting, kActive, kDraining, kNoticed, kGone };

// The interruptions' own stream of the seed (the arrivals use streams 1 to 4).
Rng interruption_stream(std::uint64_t seed) {
  Rng mix(seed ^ (5 * 0xD1B54A32D192ED03ULL));
  return Rng(mix.next());
}

void check_config(const DynamicFleetConfig& c) {
  if (c.scale_up_delay_s < 0 || c.interruptions_per_hour < 0 || c.notice_s < 0) {
    throw std::invalid_argument("simulate_dynamic_fleet: a negative delay, rate or notice");
  }
  if (const auto& a = c.autoscaler) {
    if (a->min_replicas < 1 || a->min_replicas > a->max_replicas || a->target <= 0 ||
        a->interval_s <= 0 || a->scale_down_delay_s < 0) {
      throw std::invalid_argument("simulate_dynamic_fleet: a bad autoscaler configuration");
    }
  }
}

}  // namespace

DynamicFleetOutcome simulate_dynamic_fleet(const std::vector<Request>& requests,
                                           const DynamicFleetConfig& config,
                                           IterationTimer& timer) {
  check_config(config);
  check_fleet_requests(requests, config.fleet);
  DynamicFleetOutcome res;
  FleetOutcome& out = res.fleet;
  const std::size_t n = requests.size();
  out.requests.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    out.requests[i].input = requests[i].input_len;
    out.requests[i].output = requests[i].output_len;
  }
  if (n == 0) return res;

  const std::optional<AutoscalerConfig>& scaler = config.autoscaler;
  const sim::Time delay = sim::Time::from_seconds(config.scale_up_delay_s);
  const sim::Time notice = sim::Time::from_seconds(config.notice_s);
  Rng spot = interruption_stream(config.seed);

  std::vector<ReplicaScheduler> reps;
  std::vector<State> state;
  std::vector<sim::Time> started;
  std::vector<std::int64_t> busy_ps;
  std::vector<double> prefill_share;
  std::vector<char> busy, kicked;
  std::vector<std::uint32_t> active;  // taking requests, ascending
  std::deque<std::uint32_t> pending;  // arrived while no replica took requests
  Router router(config.fleet.router);
  sim::EventQueue queue;
  int paid = 0;

  const auto push_limited = [&](sim::Time t, Kind k, std::size_t r) {
    if (t.count() <= kTimeLimitPs) queue.push(t, k, k, static_cast<std::uint32_t>(r));
  };
  const auto leave = [&](std::size_t r, sim::Time now) {
    state[r] = State::kGone;
    res.spans[r].leave = now;
    std::erase(active, static_cast<std::uint32_t>(r));
    --paid;
  };
  const auto activate = [&](std::size_t r) {
    state[r] = State::kActive;
    active.insert(std::lower_bound(active.begin(), active.end(), r), static_cast<std::uint32_t>(r));
  };
  const auto kick = [&](std::size_t r, sim::Time now) {
    if (!busy[r] && !kicked[r]) {
      kicked[r] = 1;
      queue.push(now, kStart, kStart, static_cast<std::uint32_t>(r));
    }
  };
  const auto route = [&](std::uint32_t request, sim::Time now) {
    if (active.empty()) {
      pending.push_back(request);
      return;
    }
    const std::size_t r = router.pick_among(reps, active);
    reps[r].enqueue(request);
    ++out.replicas[r].requests;
    kick(r, now);
  };
  const auto launch = [&](sim::Time now, bool warm) {
    const std::size_t r = reps.size();
    reps.emplace_back(config.fleet.scheduler, config.fleet.blocks, out.requests);
    state.push_back(State::kStarting);
    started.emplace_back();
    busy_ps.push_back(0);
    prefill_share.push_back(0);
    busy.push_back(0);
    kicked.push_back(0);
    out.replicas.emplace_back();
    res.spans.push_back({now, sim::Time::max(), sim::Time::max(), false});
    paid += 1;
    res.peak_replicas = std::max(res.peak_replicas, paid);
    if (warm) {
      res.spans[r].joined = now;
      activate(r);
    } else {
      push_limited(now + delay, kJoin, r);
    }
    if (config.interruptions_per_hour > 0) {
      const double wait_s = draw_exponential(spot, config.interruptions_per_hour / 3600.0);
      // Past the engine's range: never, for this run.
      if (now.seconds() + wait_s < static_cast<double>(kTimeLimitPs) * 1e-12) {
        push_limited(now + sim::Time::from_seconds(wait_s), kNotice, r);
      }
    }
  };
  const auto start = [&](std::size_t r, sim::Time now) {
    if (!reps[r].has_work()) {
      busy[r] = 0;
      return;
    }
    const BatchWork& work = reps[r].schedule(now);
    const sim::Time dt = sim::Time::from_seconds(timer.seconds(work));
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
    queue.push(now + dt, kIterationEnd, kIterationEnd, static_cast<std::uint32_t>(r));
  };
  // Replicas starting or taking requests: the fleet's size as the autoscaler counts it.
  const auto current = [&] {
    return static_cast<int>(std::count_if(state.begin(), state.end(), [](State s) {
      return s == State::kStarting || s == State::kActive;
    }));
  };
  const auto scale_up = [&](int k, sim::Time now) {
    for (; k > 0; --k) {
      const auto it = std::find(state.begin(), state.end(), State::kDraining);
      if (it != state.end()) {
        activate(static_cast<std::size_t>(it - state.begin()));
      } else {
        launch(now, false);
        ++res.launched;
      }
    }
  };
  const auto scale_down = [&](int k, sim::Time now) {
    for (; k > 0; --k) {
      const auto rit = std::find(state.rbegin(), state.rend(), State::kStarting);
      if (rit != state.rend()) {
        leave(static_cast<std::size_t>(state.rend() - rit - 1), now);
        continue;
      }
      std::size_t pick = active.back();
      for (auto it = active.rbegin(); it != active.rend(); ++it) {
        if (reps[*it].outstanding() < reps[pick].outstanding()) pick = *it;
      }
      std::erase(active, static_cast<std::uint32_t>(pick));
      state[pick] = State::kDraining;
      if (!reps[pick].has_work()) leave(pick, now);
    }
  };

  out.first_arrival = requests.front().arrival;
  int initial = std::max(1, config.fleet.replicas);
  if (scaler) initial = std::clamp(initial, scaler->min_replicas, scaler->max_replicas);
  for (int i = 0; i < initial; ++i) launch(out.first_arrival, true);
  queue.push(requests.front().arrival, kArrival, kArrival, 0);
  if (scaler) {
    push_limited(out.first_arrival + sim::Time::from_seconds(scaler->interval_s), kTick, 0);
  }
  std::deque<std::pair<sim::Time, int>> recommendations;  // the scale-down window
  std::size_t next = 1, arrived = 0;
  std::int64_t in_system = 0;
  sim::Time last = out.first_arrival;
  std::vector<std::uint32_t> moved;
  const auto done = [&] { return arrived == n && in_system == 0; };
  while (!queue.empty()) {
    const sim::Event e = queue.pop();
    out.in_system_integral_s += static_cast<double>(in_system) * (e.time - last).seconds();
    last = e.time;
    const std::size_t r = e.id;
    switch (e.kind) {
      case kJoin:
        if (state[r] != State::kStarting || done()) break;
        res.spans[r].joined = e.time;
        activate(r);
        while (!pending.empty()) {
          const std::uint32_t q = pending.front();
          pending.pop_front();
          route(q, e.time);
        }
        break;
      case kNotice: {
        if (state[r] == State::kGone || done()) break;
        ++res.interruptions;
        const bool counted = state[r] == State::kStarting || state[r] == State::kActive;
        std::erase(active, static_cast<std::uint32_t>(r));
        state[r] = State::kNoticed;
        if (!reps[r].has_work()) {
          leave(r, e.time);
        } else {
          queue.push(e.time + notice, kReclaim, kReclaim, static_cast<std::uint32_t>(r));
        }
        if (!scaler && counted) {
          launch(e.time, false);
          ++res.launched;
        }
        break;
      }
      case kArrival: {
        ++arrived;
        ++in_system;
        route(e.id, e.time);
        if (next < n) {
          queue.push(requests[next].arrival, kArrival, kArrival, static_cast<std::uint32_t>(next));
          ++next;
        }
        break;
      }
      case kIterationEnd: {
        if (state[r] == State::kGone) break;
        std::vector<std::uint32_t>& finished = moved;
        finished.clear();
        reps[r].complete(e.time, finished);
        in_system -= static_cast<std::int64_t>(finished.size());
        busy_ps[r] += (e.time - started[r]).count();
        out.busy_prefill_s += prefill_share[r];
        if (!finished.empty()) out.last_finish = e.time;
        start(r, e.time);
        if ((state[r] == State::kDraining || state[r] == State::kNoticed) && !reps[r].has_work()) {
          leave(r, e.time);
        }
        break;
      }
      case kReclaim: {
        if (state[r] != State::kNoticed) break;
        res.spans[r].interrupted = true;
        if (busy[r]) busy_ps[r] += (e.time - started[r]).count();
        busy[r] = 0;
        moved.clear();
        reps[r].evacuate(moved);
        leave(r, e.time);
        res.rerouted += static_cast<std::int64_t>(moved.size());
        for (const std::uint32_t q : moved) route(q, e.time);
        break;
      }
      case kTick: {
        if (done()) break;
        std::int64_t watched = in_system;
        if (scaler->policy == AutoscalePolicy::kQueueLength) {
          watched = static_cast<std::int64_t>(pending.size());
          for (std::size_t i = 0; i < reps.size(); ++i) {
            if (state[i] != State::kGone) watched += static_cast<std::int64_t>(reps[i].waiting());
          }
        }
        const int now_size = current();
        int want = std::clamp(
            static_cast<int>(std::min(std::ceil(static_cast<double>(watched) / scaler->target),
                                      static_cast<double>(scaler->max_replicas))),
            scaler->min_replicas, scaler->max_replicas);
        if (now_size >= scaler->min_replicas && now_size <= scaler->max_replicas &&
            std::abs(static_cast<double>(watched) / (now_size * scaler->target) - 1.0) <=
                scaler->tolerance) {
          want = now_size;  // close enough to the target: HPA leaves the fleet alone
        }
        const sim::Time window = sim::Time::from_seconds(scaler->scale_down_delay_s);
        recommendations.emplace_back(e.time, want);
        while (recommendations.front().first + window < e.time) recommendations.pop_front();
        if (want > now_size) {
          scale_up(want - now_size, e.time);
          ++res.scale_ups;
        } else {
          int keep = want;
          for (const auto& [t, w] : recommendations) keep = std::max(keep, w);
          if (keep < now_size) {
            scale_down(now_size - keep, e.time);
            ++res.scale_downs;
          }
        }
        push_limited(e.time + sim::Time::from_seconds(scaler->interval_s), kTick, 0);
        break;
      }
      default:  // kStart
        kicked[r] = 0;
        if (state[r] != State::kGone && !busy[r]) start(r, e.time);
        break;
    }
  }
  for (std::size_t i = 0; i < reps.size(); ++i) {
    ReplicaSpan& span = res.spans[i];
    if (span.leave == sim::Time::max() || span.leave > out.last_finish) {
      span.leave = std::max(out.last_finish, span.launch);
    }
    res.replica_seconds += (span.leave - span.launch).seconds();
    out.replicas[i].busy_s = static_cast<double>(busy_ps[i]) * 1e-12;
    out.replicas[i].peak_blocks = reps[i].peak_used_blocks();
    out.replicas[i].preemptions = reps[i].preemptions();
  }
  return res;
}

}  // namespace cirrus::models
