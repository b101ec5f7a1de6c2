// A fleet that changes while it serves (models/serving/dynamic_fleet.hpp), each against a hand
// calculation: a step in load and the first new replica's join after the instance start plus
// the weights' load; drained replicas finishing their work; the autoscaler's bounds; spot
// interruptions routing a replica's requests again; the daily cycle's arrivals; determinism;
// and Little's law on every run.
#include <catch2/catch.hpp>
#include <cmath>

#include "models/serving/arrivals.hpp"
#include "models/serving/dynamic_fleet.hpp"
#include "models/serving/hourly_slo.hpp"
#include "models/serving/kv_cache.hpp"
#include "tests/unit/models/serving/serving_fixtures.hpp"

using namespace cirrus;
using namespace cirrus::models;
using cirrus::testing::check_little;
using cirrus::testing::FixedTimer;

namespace {

// `per_s` arrivals a second for `seconds`, 10 prompt and `output` output tokens each.
std::vector<Request> steady(double per_s, double seconds, int output) {
  std::vector<Request> out;
  const auto n = static_cast<int>(std::llround(per_s * seconds));
  out.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    out.push_back({static_cast<std::uint32_t>(i), sim::Time::from_seconds(i / per_s), 10, output});
  }
  return out;
}

// One request at a time per replica: with a 0.1 s iteration, a request of 10 output tokens is
// served in 10 iterations, 1.0 s.
DynamicFleetConfig one_at_a_time(int replicas) {
  DynamicFleetConfig c;
  c.fleet.replicas = replicas;
  c.fleet.router = RouterKind::kLeastOutstanding;
  c.fleet.scheduler.max_num_seqs = 1;
  c.fleet.blocks = 1000;
  return c;
}

AutoscalerConfig concurrency(double target, int lo, int hi, double interval, double down) {
  return {AutoscalePolicy::kTargetConcurrency, target, lo, hi, interval, down};
}

ServingMetrics measure(const std::vector<Request>& requests, const DynamicFleetOutcome& o,
                       const DynamicFleetConfig& c) {
  return serving_metrics(requests, o.fleet, {}, c.fleet.blocks);
}

}  // namespace

TEST_CASE("a step in load: the first new replica serves only after start + weights / bandwidth",
          "[serving]") {
  // The delay a scenario would get for Llama 3 8B in bf16 at tp 1: an instance start of 60 s
  // plus its weights (about 16 GB) read at 2 GB/s.
  const IterationSetup setup = cirrus::testing::llama8b_h100();
  const double weights = weight_bytes_per_gpu(setup.model, ServingNumerics{}, 1) * 1;
  const double delay = 60.0 + weights / 2e9;
  CHECK(delay == Approx(60.0 + 16.06e9 / 2e9).epsilon(0.01));

  // 4 arrivals a second against one replica that serves 1 a second. At the first decision
  // (t = 1 s; in one instant arrivals and iteration ends come before decisions) 5 requests have
  // arrived and 1 finished: ceil(4 / 2) = 2 replicas wanted, 1 launches at 1 s and joins at
  // 1 s + delay. At 2 s: 9 arrived, 2 finished, ceil(7 / 2) = 4 wanted: 2 more launch.
  const std::vector<Request> requests = steady(4, 120, 10);
  DynamicFleetConfig c = one_at_a_time(1);
  c.autoscaler = concurrency(2, 1, 4, 1.0, 1000);
  c.scale_up_delay_s = delay;
  FixedTimer timer(0.1);
  const DynamicFleetOutcome o = simulate_dynamic_fleet(requests, c, timer);
  REQUIRE(o.spans.size() == 4);
  const sim::Time joined = sim::Time::from_seconds(1.0) + sim::Time::from_seconds(delay);
  CHECK(o.spans[1].launch == sim::Time::from_seconds(1.0));
  CHECK(o.spans[1].joined == joined);
  CHECK(o.spans[2].launch == sim::Time::from_seconds(2.0));
  CHECK(o.spans[3].launch == sim::Time::from_seconds(2.0));
  // Until then replica 0 alone starts one request a second, at 0, 1, 2, ... s: ceil(J) of them
  // before J (J is not a whole number of seconds).
  std::size_t before = 0;
  for (const SeqState& s : o.fleet.requests) before += s.first_scheduled < joined ? 1 : 0;
  CHECK(before == static_cast<std::size_t>(std::ceil(joined.seconds())));
  CHECK(o.fleet.replicas[1].requests > 0);
  CHECK(o.peak_replicas == 4);
  check_little(measure(requests, o, c));
}

TEST_CASE("a load within the tolerance of the target leaves the fleet alone", "[serving]") {
  // 20.5 requests a second, each 1.0 s on its replica, against 21 replicas of target 1: at a
  // decision 20 or 21 requests are in the system, 20 / 21 = 0.95 to 21 / 21 = 1.0 of the target,
  // inside HPA's 10%: no decision changes the fleet. Without a tolerance and without a
  // stabilization window the fleet follows every 20 down and back up.
  const std::vector<Request> requests = steady(20.5, 60, 10);
  DynamicFleetConfig c = one_at_a_time(21);
  c.autoscaler = concurrency(1, 1, 40, 1.0, 0.0);
  FixedTimer steady_timer(0.1);
  const DynamicFleetOutcome calm = simulate_dynamic_fleet(requests, c, steady_timer);
  CHECK(calm.scale_ups == 0);
  CHECK(calm.scale_downs == 0);
  c.autoscaler->tolerance = 0;
  FixedTimer timer(0.1);
  const DynamicFleetOutcome flapping = simulate_dynamic_fleet(requests, c, timer);
  CHECK(flapping.scale_downs > 0);
  CHECK(flapping.scale_ups > 0);
  check_little(measure(requests, flapping, c));
}

TEST_CASE("drained replicas finish their work, and the bounds hold", "[serving]") {
  // A burst of 60 s at 6 a second then 120 s at 0.5 a second: the fleet grows to its max of 5,
  // then drains back to its min of 2 once the burst's recommendations leave the 10 s window.
  std::vector<Request> requests = steady(6, 60, 10);
  for (const Request& r : steady(0.5, 120, 10)) {
    requests.push_back({static_cast<std::uint32_t>(requests.size()),
                        r.arrival + sim::Time::from_seconds(60), r.input_len, r.output_len});
  }
  DynamicFleetConfig c = one_at_a_time(2);
  c.autoscaler = concurrency(1, 2, 5, 1.0, 10.0);
  c.scale_up_delay_s = 5;
  FixedTimer timer(0.1);
  const DynamicFleetOutcome o = simulate_dynamic_fleet(requests, c, timer);
  CHECK(o.scale_ups > 0);
  CHECK(o.scale_downs > 0);
  CHECK(o.peak_replicas == 5);
  CHECK(o.rerouted == 0);
  // Every request finished, drained replicas' too (check_little: completed == requests).
  check_little(measure(requests, o, c));
  // Paid replicas never below min at any 0.5 s of the run, never above max.
  const sim::Time end = o.fleet.last_finish;
  for (sim::Time t = o.fleet.first_arrival; t < end; t = t + sim::Time::from_seconds(0.5)) {
    int paid = 0;
    for (const ReplicaSpan& s : o.spans) paid += s.launch <= t && t < s.leave ? 1 : 0;
    INFO("t = " << t.seconds());
    CHECK(paid >= 2);
    CHECK(paid <= 5);
  }
  // Replica-seconds are the spans' sum; a replica drained before the end left before it.
  double sum = 0;
  bool left_early = false;
  for (const ReplicaSpan& s : o.spans) {
    sum += (s.leave - s.launch).seconds();
    left_early = left_early || s.leave < end;
  }
  CHECK(o.replica_seconds == Approx(sum));
  CHECK(left_early);
}

TEST_CASE("spot interruptions route a replica's requests again and every request completes",
          "[serving]") {
  // 20 interruptions per replica-hour (one every 3 minutes per replica) over 30 minutes of
  // 1.5 requests a second on 2 replicas of 1 request at a time, 50 output tokens (5 s each):
  // a reclaimed replica holds requests, so some are routed again.
  const std::vector<Request> requests = steady(0.3, 1800, 50);
  DynamicFleetConfig c = one_at_a_time(2);
  c.interruptions_per_hour = 20;
  c.notice_s = 2;
  c.scale_up_delay_s = 30;
  c.seed = 7;
  FixedTimer timer(0.1);
  const DynamicFleetOutcome o = simulate_dynamic_fleet(requests, c, timer);
  CHECK(o.interruptions > 0);
  CHECK(o.rerouted > 0);
  // Without an autoscaler each notice of a serving replica launches a replacement.
  CHECK(o.launched == o.interruptions);
  check_little(measure(requests, o, c));

  // The same seed, the same run; the requests' times are untouched by the interruption stream.
  FixedTimer again(0.1);
  const DynamicFleetOutcome p = simulate_dynamic_fleet(requests, c, again);
  CHECK(p.interruptions == o.interruptions);
  CHECK(p.rerouted == o.rerouted);
  CHECK(p.replica_seconds == o.replica_seconds);
  CHECK(p.fleet.last_finish == o.fleet.last_finish);
}

TEST_CASE("hourly SLO attainment counts each hour's arrivals", "[serving]") {
  // Two hours at one request every 10 s on a fleet that keeps up: 360 requests an hour, every
  // one within a TTFT of 0.15 s (one 0.1 s prefill iteration), 2 replicas on average.
  const std::vector<Request> requests = steady(0.1, 7200, 10);
  DynamicFleetConfig c = one_at_a_time(2);
  c.autoscaler = concurrency(8, 2, 2, 30, 300);
  FixedTimer timer(0.1);
  const DynamicFleetOutcome o = simulate_dynamic_fleet(requests, c, timer);
  Slo slo;
  slo.ttft_s = 0.15;
  const std::vector<HourRow> hours = hourly_slo(requests, o, slo);
  REQUIRE(hours.size() == 2);
  CHECK(hours[0].requests == 360);
  CHECK(hours[1].requests == 360);
  CHECK(*hours[0].ttft_attained == 1.0);
  CHECK_FALSE(hours[0].tpot_attained.has_value());
  CHECK(hours[0].mean_replicas == Approx(2.0));
}

TEST_CASE("a daily cycle: the mean rate over a day and the peak over the trough", "[serving]") {
  // lambda(t) = 5 (1 + 0.6 cos(2 pi (t - 14 h) / 24 h)) for peak_to_trough 4: a = 3/5. Over a
  // day the mean is 5/s (432,000 expected, sd 657). The hour around the peak over the hour
  // around the trough: (1 + a s) / (1 - a s), s = sin(pi/24) / (pi/24) = 0.99715 (the cosine's
  // mean over +-half an hour), = 3.979.
  ArrivalSpec a;
  a.kind = ArrivalKind::kPoisson;
  a.rate_per_s = 5;
  a.duration_s = 86400;
  a.daily_cycle = DailyCycle{4, 14};
  LengthDist len;
  len.value = 10;
  const std::vector<Request> r = synthetic_requests(a, len, len, 3);
  CHECK(static_cast<double>(r.size()) == Approx(432000).epsilon(0.01));
  const auto count = [&](double from_h, double to_h) {
    std::size_t k = 0;
    for (const Request& q : r) {
      const double h = q.arrival.seconds() / 3600.0;
      k += h >= from_h && h < to_h ? 1 : 0;
    }
    return static_cast<double>(k);
  };
  const double s = std::sin(M_PI / 24) / (M_PI / 24);
  CHECK(count(13.5, 14.5) / count(1.5, 2.5) == Approx((1 + 0.6 * s) / (1 - 0.6 * s)).epsilon(0.05));
  CHECK(cycle_rate(5, DailyCycle{4, 14}, 14 * 3600.0) == Approx(8.0));
  CHECK(cycle_rate(5, DailyCycle{4, 14}, 2 * 3600.0) == Approx(2.0));
  // The same seed, the same stream.
  CHECK(synthetic_requests(a, len, len, 3).back().arrival == r.back().arrival);
}
