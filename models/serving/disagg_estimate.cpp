#include "models/serving/disagg_estimate.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "models/serving/bisect.hpp"

namespace cirrus::models {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// A prefill replica's packed iteration: its prompts, its time, and the replica time one prompt
// costs (S).
struct PackedPrefill {
  double prompts = 1;  // per iteration (a fraction of one: a chunk of a prompt above B)
  double iteration_s = 0;
  double service_s = 0;
};

PackedPrefill packed_prefill(IterationTimer& timer, const WorkloadShape& w, const ReplicaShape& r) {
  const SchedulerConfig& s = r.scheduler;
  const double prompt = std::max(1.0, w.mean_input);
  PackedPrefill out;
  if (prompt >= s.max_num_batched_tokens) {
    // One prompt at a time, in chunks of the budget.
    const auto whole = static_cast<std::int64_t>(std::llround(prompt));
    const double chunks = std::ceil(prompt / s.max_num_batched_tokens);
    out.service_s = unloaded_ttft(timer, whole, s.max_num_batched_tokens);
    out.prompts = 1.0 / chunks;
    out.iteration_s = out.service_s / chunks;
    return out;
  }
  const double blocks_per_prompt = std::ceil(prompt / s.block_size);
  const double by_kv = std::floor(static_cast<double>(whole_blocks(r)) / blocks_per_prompt);
  const double m = std::max(1.0, std::min({s.max_num_batched_tokens / prompt,
                                           static_cast<double>(s.max_num_seqs), by_kv}));
  const auto tokens = std::min<std::int64_t>(s.max_num_batched_tokens, std::llround(m * prompt));
  BatchWork work;
  add_steady_work(work, w, 0, tokens);
  out.prompts = static_cast<double>(tokens) / prompt;
  out.iteration_s = timer.seconds(work);
  out.service_s = out.iteration_s / out.prompts;
  return out;
}

double decode_stay(const WorkloadShape& w) { return std::max(1.0, w.mean_output - 1.0); }

// The fewest replicas in [1, max] whose estimate is `ok`; the estimate at max in `at_max`.
template <class Estimate, class Ok>
std::optional<PoolEstimate> fewest_pool(Estimate&& estimate, Ok&& ok, int max,
                                        PoolEstimate& at_max) {
  at_max = estimate(max);
  if (!ok(at_max)) return std::nullopt;
  return estimate(smallest_with(1, max, [&](int n) { return ok(estimate(n)); }));
}

}  // namespace

double prefill_replica_capacity(IterationTimer& timer, const WorkloadShape& w,
                                const ReplicaShape& r) {
  return 1.0 / packed_prefill(timer, w, r).service_s;
}

BatchLimit decode_largest_batch(const WorkloadShape& w, const ReplicaShape& r) {
  return batch_limit(w, r, 1.0);  // one token per sequence: decodes only
}

double decode_replica_capacity(IterationTimer& timer, const WorkloadShape& w,
                               const ReplicaShape& r) {
  const int n = decode_largest_batch(w, r).batch;
  return n / (decode_stay(w) * decode_only_seconds(timer, w, n));
}

std::vector<double> own_prefill_seconds(IterationTimer& timer, const WorkloadShape& w, int budget) {
  if (w.input_quantiles.empty()) return {unloaded_ttft(timer, w.input_at_percentile, budget)};
  std::vector<double> out;
  out.reserve(w.input_quantiles.size());
  for (std::size_t k = 0; k < w.input_quantiles.size(); ++k) {
    const double q = w.input_quantiles[k];
    if (k > 0 && q == w.input_quantiles[k - 1]) {
      out.push_back(out.back());
    } else {
      out.push_back(unloaded_ttft(timer, std::max<std::int64_t>(1, std::llround(q)), budget));
    }
  }
  return out;
}

double first_token_percentile(const std::vector<double>& own, double rho, double service_s,
                              double cv2, int percentile) {
  const double tail = 1.0 - percentile / 100.0;
  const double scale = service_s * (1.0 + cv2) / (2.0 * (1.0 - rho));  // T
  auto above = [&](double x) {                                         // P(X + W > x)
    double sum = 0;
    for (const double own_s : own) {
      const double y = x - own_s;
      sum += y < 0 ? 1.0 : rho * std::exp(-y / scale);
    }
    return sum / static_cast<double>(own.size());
  };
  // At the largest X plus W's own percentile every term is at most the tail.
  double lo = 0;
  double hi =
      *std::max_element(own.begin(), own.end()) + (rho > tail ? scale * std::log(rho / tail) : 0.0);
  for (int i = 0; i < 200 && hi - lo > 1e-12 * hi; ++i) {
    const double mid = (lo + hi) / 2;
    if (above(mid) > tail) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return hi;
}

PoolEstimate estimate_prefill_pool(IterationTimer& timer, const WorkloadShape& w,
                                   const ReplicaShape& r, const std::vector<double>& own,
                                   int replicas, int percentile) {
  const PackedPrefill packed = packed_prefill(timer, w, r);
  PoolEstimate e;
  e.replicas = replicas;
  e.batch = std::max(1, static_cast<int>(std::floor(packed.prompts)));
  e.iteration_s = packed.iteration_s;
  e.utilisation = w.rate_per_s / replicas * packed.service_s;
  if (e.utilisation >= 1) {
    e.overloaded = true;
    e.latency_s = kInf;
    return e;
  }
  // The service varies as the prompts' lengths (a packed prompt's share grows with it);
  // unknown: exponential, the M/M/1 queue's.
  const double cv2 = w.input_cv2().value_or(1.0);
  e.latency_s = first_token_percentile(own, e.utilisation, packed.service_s, cv2, percentile);
  return e;
}

PoolEstimate estimate_decode_pool(IterationTimer& timer, const WorkloadShape& w,
                                  const DisaggPools& pools, int replicas, int percentile) {
  PoolEstimate e;
  e.replicas = replicas;
  if (w.mean_output <= 1) return e;  // nothing to decode
  const int largest = decode_largest_batch(w, pools.decode).batch;
  const double rate = w.rate_per_s / replicas;
  const double stay = decode_stay(w);
  auto throughput = [&](int n) { return n / (stay * decode_only_seconds(timer, w, n)); };
  const double bytes = w.mean_input * pools.kv_bytes_per_token;
  const double hold = pools.link.hold_seconds(bytes);
  if (throughput(largest) < rate || rate * hold >= 1) {
    e.overloaded = true;
    e.batch = largest;
    e.utilisation = 1;
    e.iteration_s = decode_only_seconds(timer, w, largest);
    e.latency_s = kInf;
    return e;
  }
  // The smallest batch that carries the load.
  const int lo = smallest_with(1, largest, [&](int n) { return throughput(n) >= rate; });
  e.batch = lo;
  e.utilisation = static_cast<double>(lo) / largest;
  e.iteration_s = decode_only_seconds(timer, w, lo);
  const double link_wait = mm1_wait_percentile(rate * hold, hold, percentile);
  const double slot_wait = mmc_wait_percentile(largest, rate, stay * e.iteration_s, percentile);
  e.latency_s =
      e.iteration_s + (pools.link.seconds(bytes) + link_wait + slot_wait + e.iteration_s) / stay;
  return e;
}

std::optional<DisaggEstimate> fewest_disagg(IterationTimer& prefill_timer,
                                            IterationTimer& decode_timer, const WorkloadShape& w,
                                            const DisaggPools& pools, const Slo& slo,
                                            int percentile, int max_replicas,
                                            DisaggEstimate* at_max) {
  auto ok_within = [](const std::optional<double>& limit) {
    return [limit](const PoolEstimate& e) {
      return !e.overloaded && (!limit || e.latency_s <= *limit);
    };
  };
  DisaggEstimate top;
  top.transfer_s = pools.link.seconds(w.mean_input * pools.kv_bytes_per_token);
  DisaggEstimate best = top;
  const std::vector<double> own =
      own_prefill_seconds(prefill_timer, w, pools.prefill.scheduler.max_num_batched_tokens);
  const auto prefill = fewest_pool(
      [&](int r) {
        return estimate_prefill_pool(prefill_timer, w, pools.prefill, own, r, percentile);
      },
      ok_within(slo.ttft_s), max_replicas, top.prefill);
  const auto decode = fewest_pool(
      [&](int r) { return estimate_decode_pool(decode_timer, w, pools, r, percentile); },
      ok_within(slo.tpot_s), max_replicas, top.decode);
  if (at_max != nullptr) *at_max = top;
  if (!prefill || !decode) return std::nullopt;
  best.prefill = *prefill;
  best.decode = *decode;
  return best;
}

}  // namespace cirrus::models
