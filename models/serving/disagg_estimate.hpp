#pragma once
// A closed-form estimate of a disaggregated fleet (serving.disaggregation, disagg_sim.hpp): the
// ranking stage of a serving plan that searches the prefill:decode ratio. Each pool holds one
// SLO alone (TTFT ends at the prefill replica; what follows the first token is the decode
// pool's), so each is sized apart, as DistServe places its phases: the ratio is the fewest
// prefill replicas meeting TTFT against the fewest decode replicas meeting TPOT.
//
// Prefill pool, Rp replicas, of the mean request (I prompt, O output tokens, fleet_estimate.hpp):
//   a busy replica packs m = min(B / I, max_num_seqs, the prompts its KV cache holds) whole
//   prompts into an iteration of the budget B (a prompt above B: its chunks one after another),
//   so a prompt costs S = t(packed iteration) / m of replica time; rho = (lambda / Rp) S;
//   TTFT = X + W: X the prompt's prefill alone on an idle replica (unloaded_ttft, at the
//   requests' prompt lengths: WorkloadShape::input_quantiles), W its wait for the work ahead
//   of it in an M/G/1 queue of service S, whose service varies as the prompts' lengths do
//   (c^2 = E[I^2] / I^2 - 1; 1, the M/M/1 queue's, when unknown): P(W > y) = rho exp(-y / T)
//   with T = S (1 + c^2) / (2 (1 - rho)), the exponential tail whose mean is
//   Pollaczek-Khinchine's, exact for M/M/1. TTFT_p solves mean_k P(W > x - X_k) = 1 - p
//   (bisection): adding the p-th percentiles of X and W instead would take both tails at once.
// Decode pool, Rd replicas: decodes only. A request stays O - 1 iterations at n decodes of mean
//   context I + O/2; the batch is held under max_num_seqs, B and the KV cache's sequences of
//   I + O/2 cached tokens; a replica carries lambda / Rd at the smallest n with
//   n / ((O - 1) t(n)) >= lambda / Rd. TPOT is measured from the first token to the last over
//   O - 1 tokens, so what happens between the pools is spread over them:
//   TPOT_p = t(n) + (transfer + link wait_p + slot wait_p + t(n)) / (O - 1),
//   transfer = I x the whole model's KV bytes per token / the link + its latency (kv_link.hpp),
//   link wait: M/M/1 at the decode replica's one link (lambda / Rd transfers of that hold),
//   slot wait: M/M/c, c the largest batch, service (O - 1) t(n) (fleet_estimate.hpp),
//   t(n): admission waits for the running iteration to end.
// A mean output of one token leaves nothing to decode: the decode pool is one replica.
// Not modelled, as in the simulation: the prefill replica holding the prompt's blocks while
// the transfer reads them, and a transfer overlapping the prefill layer by layer.
#include <optional>
#include <vector>

#include "models/serving/fleet_estimate.hpp"
#include "models/serving/kv_link.hpp"

namespace cirrus::models {

struct DisaggPools {
  ReplicaShape prefill, decode;   // each pool's scheduler and KV tokens per replica
  KvLink link;                    // kv_link.hpp
  double kv_bytes_per_token = 0;  // the whole model's: what one prompt token sends
};

struct PoolEstimate {
  int replicas = 0;
  int batch = 0;            // decode: n at the operating point; prefill: prompts per iteration
  double utilisation = 0;   // decode: n / the largest batch; prefill: rho
  double iteration_s = 0;   // decode: t(n); prefill: the packed iteration
  double latency_s = 0;     // prefill: TTFT at the percentile; decode: TPOT at the percentile
  bool overloaded = false;  // the pool cannot carry the load at this size
};

struct DisaggEstimate {
  PoolEstimate prefill, decode;
  double transfer_s = 0;  // one mean prompt's KV over the link, waits excluded
  bool overloaded() const { return prefill.overloaded || decode.overloaded; }
};

// One prefill replica's throughput, requests/s: 1 / S.
double prefill_replica_capacity(IterationTimer& timer, const WorkloadShape& w,
                                const ReplicaShape& r);
// The decode pool's largest steady batch per replica, and one replica's throughput there.
BatchLimit decode_largest_batch(const WorkloadShape& w, const ReplicaShape& r);
double decode_replica_capacity(IterationTimer& timer, const WorkloadShape& w,
                               const ReplicaShape& r);

// The prompts' prefill alone on an idle prefill replica of budget `budget`: at the workload's
// input quantiles, or the p-th percentile prompt's alone when it has none.
std::vector<double> own_prefill_seconds(IterationTimer& timer, const WorkloadShape& w, int budget);

// The p-th percentile of X + W, X uniform over `own` and W the M/G/1 wait at utilisation rho
// (< 1) with mean service `service_s` of squared coefficient of variation `cv2` (above).
double first_token_percentile(const std::vector<double>& own, double rho, double service_s,
                              double cv2, int percentile);

// `own`: own_prefill_seconds for this pool's budget.
PoolEstimate estimate_prefill_pool(IterationTimer& timer, const WorkloadShape& w,
                                   const ReplicaShape& r, const std::vector<double>& own,
                                   int replicas, int percentile);
PoolEstimate estimate_decode_pool(IterationTimer& timer, const WorkloadShape& w,
                                  const DisaggPools& pools, int replicas, int percentile);

// The fewest replicas of each pool (1 to max_replicas) meeting its SLO (a pool whose SLO is not
// set: the fewest not overloaded), by bisection; nullopt when either pool cannot at
// max_replicas (both pools' estimates at max_replicas are then in `at_max`).
std::optional<DisaggEstimate> fewest_disagg(IterationTimer& prefill_timer,
                                            IterationTimer& decode_timer, const WorkloadShape& w,
                                            const DisaggPools& pools, const Slo& slo,
                                            int percentile, int max_replicas,
                                            DisaggEstimate* at_max = nullptr);

}  // namespace cirrus::models
