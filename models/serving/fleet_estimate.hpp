#pragma once
// A fast, closed-form estimate of a serving fleet (the ranking stage of `cirrus plan` for a
// `serving` block; the request-level simulation, fleet_sim.hpp, checks what it ranks first).
// Steady state of one replica at the mean request (I prompt, O output tokens):
//
//   - n sequences decode at once, each producing one token per iteration; a request stays
//     k(n) + O - 1 iterations, k(n) = ceil(I / (B - n)) of them prefill chunks of the B-token
//     budget (vLLM schedules the decodes first). The batch is held under max_num_seqs, under
//     the KV cache's sequences of I + O/2 cached tokens (the mean over a request's life) and
//     under the budget, n (1 + I/O) <= B;
//   - an iteration is the n decodes at a mean context of I + O/2, t_d(n), and, when a prompt
//     arrived, that prompt's chunk beside them (iteration_time.hpp). A prompt is not spread
//     thinly over every iteration: the decode-only iterations read the weights and the KV
//     cache (memory-bound) and a prompt's iteration is compute-bound, and a roofline of their
//     sum would hide one under the other. So a mean prompt adds D(n) = its chunk iterations
//     beside the n decodes less as many decode-only iterations, and at lambda_r requests/s the
//     mean iteration stretches to t(n) = t_d(n) / (1 - lambda_r D(n)) (prompts take
//     lambda_r D(n) of the time: the prefill share of the cost);
//   - by Little's law n = lambda_r (k + O - 1) t(n), so a replica carries at most
//     n / ((k + O - 1) t_d(n) + n D(n)) requests/s at batch n. It carries lambda_r = lambda / R
//     at the smallest n where that reaches lambda_r; none up to the largest batch: overloaded.
//
// At the SLO percentile p:
//   TPOT_p = t_d(n) + P_p / (O - 1): a request's O - 1 decodes each take t_d(n), and every
//            prompt arriving in its life L = (O - 1) t(n) adds D(n) x its length / I. Their sum
//            is compound Poisson, mean lambda_r L D and variance lambda_r L D^2 E[I^2] / I^2;
//            P_p is its p-th percentile by the normal approximation (z = 0, 1.2816, 2.3263 for
//            p50, p90, p99). At p50 it is t(n); the tail is a request that meets a burst of
//            long prompts;
//   TTFT_p = t(n) (the iteration running when the request arrives, at its longest)
//          + ceil(I_p / (B - n)) iterations of n decodes and a chunk of the p-th percentile
//            prompt I_p (its prefill)
//          + the p-th percentile wait for a batch slot, M/M/c with c = the largest batch and
//            service time (k + O - 1) t(n): P(wait > w) = C(c, a) exp(-(c/S - lambda_r) w),
//            C Erlang's C formula (Erlang B's recursion, then C = B / (1 - rho (1 - B))).
// The fewest replicas R (1 to max) whose TTFT_p and TPOT_p meet the SLOs, by bisection: each
// part grows with lambda_r. Unloaded figures (no R helps below them): the p-th percentile
// prompt's prefill alone on an idle replica, and one sequence's decode at I + O/2.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/serving/iteration_time.hpp"
#include "models/serving/serving_spec.hpp"

namespace cirrus::models {

// The load and the request shape the estimate works from (the scenario's requests).
struct WorkloadShape {
  double rate_per_s = 0;                 // lambda: arrivals per second over the window
  double mean_input = 0;                 // I
  double mean_output = 0;                // O, >= 1
  std::int64_t input_at_percentile = 0;  // I_p: the SLO percentile's prompt length
  double mean_input_squared = 0;         // E[I^2]; 0: I^2 (every prompt of the mean length)
  // The prompt lengths at the midpoints of 20 equal shares of the requests, (k + 0.5) / 20, for
  // a percentile of a sum whose one part is a prompt's own prefill (disagg_estimate.hpp);
  // empty: every prompt taken as I_p.
  std::vector<double> input_quantiles;
  // The prompt lengths' squared coefficient of variation, E[I^2] / I^2 - 1; nullopt when
  // E[I^2] is not known.
  std::optional<double> input_cv2() const {
    if (!(mean_input_squared > 0)) return std::nullopt;
    return std::max(0.0, mean_input_squared / (mean_input * mean_input) - 1.0);
  }
};

struct ReplicaShape {
  SchedulerConfig scheduler;
  std::int64_t kv_tokens = 0;  // the KV cache's tokens (blocks x block size)
};

// The KV cache's whole blocks.
inline std::int64_t whole_blocks(const ReplicaShape& r) {
  return r.kv_tokens / r.scheduler.block_size;
}

struct BatchLimit {
  int batch = 0;        // the largest steady batch n
  const char* by = "";  // "max_num_seqs", "KV cache" or "token budget"
};

struct FleetEstimate {
  int replicas = 0;
  int batch = 0;                  // n at the operating point (per replica)
  double utilisation = 0;         // n / the largest batch
  double iteration_s = 0;         // t(n)
  double ttft_s = 0, tpot_s = 0;  // at the percentile
  double prefill_share = 0;       // of an iteration's tokens, prompt tokens (the cost split)
  bool overloaded = false;        // no batch up to the largest carries the load
};

// The largest steady batch when each sequence takes `budget_tokens_per_seq` of the token budget
// per iteration, under max_num_seqs and the KV cache's sequences of I + O/2 tokens.
BatchLimit batch_limit(const WorkloadShape& w, const ReplicaShape& r, double budget_tokens_per_seq);

// The largest steady batch of one replica: batch_limit with 1 + I/O tokens per sequence (its
// decode and its share of the prompts).
BatchLimit largest_batch(const WorkloadShape& w, const ReplicaShape& r);

// One iteration of n decodes at the mean context I + O/2, nothing else.
double decode_only_seconds(IterationTimer& timer, const WorkloadShape& w, int n);

// The replica's saturation throughput, requests per second, at the largest batch.
double replica_capacity(IterationTimer& timer, const WorkloadShape& w, const ReplicaShape& r);

// The estimate with `replicas` replicas at the percentile p (50, 90 or 99).
FleetEstimate estimate_fleet(IterationTimer& timer, const WorkloadShape& w, const ReplicaShape& r,
                             int replicas, int percentile);

// The first-token time of a `prompt`-token request alone on an idle replica (chunks of the
// budget `budget`), and the time of one decode at `context` cached tokens.
double unloaded_ttft(IterationTimer& timer, std::int64_t prompt, int budget);
double unloaded_tpot(IterationTimer& timer, std::int64_t context);

// Adds the steady iteration's work to `work`: n decodes at the mean context I + O/2, and
// `prompt_tokens` new prompt tokens as whole prompts of the mean length I (the last one
// partial), each from an empty cache.
void add_steady_work(BatchWork& work, const WorkloadShape& w, int n, std::int64_t prompt_tokens);

// The p-th percentile wait in an M/M/1 queue at utilisation rho with mean service `service_s`:
// P(wait > x) = rho exp(-(1 - rho) x / S), so S ln(rho / (1 - p)) / (1 - rho) when rho is
// above the tail 1 - p, else 0; infinity at rho >= 1.
double mm1_wait_percentile(double rho, double service_s, int percentile);

// The p-th percentile wait in an M/M/c queue: c servers of mean service `service_s`, arrivals
// at `rate`; infinity at or over capacity.
double mmc_wait_percentile(int c, double rate, double service_s, int percentile);

// Fewest replicas in [1, max_replicas] whose estimate meets the SLO; nullopt when even
// max_replicas does not (the estimate at max_replicas is then in `at_max`).
std::optional<FleetEstimate> fewest_replicas(IterationTimer& timer, const WorkloadShape& w,
                                             const ReplicaShape& r, const Slo& slo, int percentile,
                                             int max_replicas, FleetEstimate* at_max = nullptr);

// Whether an estimate meets the SLOs given.
bool meets(const FleetEstimate& e, const Slo& slo);

}  // namespace cirrus::models
