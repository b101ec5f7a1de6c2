#include "plan/serving_search.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "common/parallel_for.hpp"
#include "models/serving/iteration_time.hpp"
#include "models/serving/replica_rules.hpp"
#include "plan/pareto.hpp"

namespace cirrus::plan {
namespace {

struct Combination {
  std::uint32_t instance;
  int tp, pp, seqs, tokens;
  int decode_tp = 0;  // a disaggregated fleet's decode pool (tp: its prefill pool); 0: colocated
};

// A candidate, or the reason it is pruned.
struct Slot {
  std::optional<ServingCandidate> candidate;
  std::string pruned;
};

std::optional<std::string> memory_problem(const ServingSearchInput& in,
                                          const models::SchedulerConfig& sc,
                                          const models::KvCacheSize& kv) {
  if (kv.blocks <= 0) return "no memory left for the KV cache (weights and activations)";
  if (models::blocks_for(in.largest_cached, sc.block_size) > kv.engine_blocks()) {
    return kv.engines > 1
               ? "the largest request does not fit one pipeline engine's share of the KV cache"
               : "the largest request does not fit one replica's KV cache";
  }
  if (!sc.chunked_prefill && in.largest_cached > sc.max_num_batched_tokens) {
    return "the largest request above max_num_batched_tokens without chunked prefill";
  }
  return std::nullopt;
}

models::IterationModel iteration_model(const ServingSearchInput& in, const InstanceOption& inst,
                                       const Combination& c, int tp) {
  models::IterationSetup setup;
  setup.model = in.model;
  setup.node = inst.node;
  setup.numerics = in.numerics;
  setup.tp = tp;
  setup.expert_parallel = in.expert_parallel;
  setup.pp = c.pp;
  setup.max_tokens = c.tokens;
  setup.max_seqs = c.seqs;
  setup.profile = inst.profile;
  return models::IterationModel(setup);
}

Slot evaluate(const ServingSearchInput& in, const Combination& c) {
  Slot out;
  const InstanceOption& inst = in.instances[c.instance];
  if (auto why = models::tp_problem(in.model, inst.node, c.tp)) {
    out.pruned = "tp: " + *why;
    return out;
  }
  if (in.expert_parallel) {
    if (auto why = models::ep_problem(in.model, c.tp)) {
      out.pruned = "expert parallelism: " + *why;
      return out;
    }
  }
  if (c.pp > in.model.layers) {
    out.pruned = "pp: more stages than the model has layers";
    return out;
  }
  ServingCandidate cand;
  cand.instance = c.instance;
  cand.tp = c.tp;
  cand.pp = c.pp;
  cand.scheduler = in.scheduler;
  cand.scheduler.max_num_seqs = c.seqs;
  cand.scheduler.max_num_batched_tokens = c.tokens;
  const models::KvCacheSize kv =
      models::kv_cache_size(in.model, inst.node.gpu, in.numerics, c.tp, cand.scheduler, c.pp);
  if (auto why = memory_problem(in, cand.scheduler, kv)) {
    out.pruned = *why;
    return out;
  }
  cand.kv_blocks = kv.blocks;
  models::IterationModel timer = iteration_model(in, inst, c, c.tp);
  // With pipeline stages the estimate's unit is one virtual engine (its share of the blocks, the
  // whole model's time plus the sends): a replica is pp of them.
  const models::ReplicaShape replica{cand.scheduler, kv.engine_tokens()};
  const models::WorkloadShape& w = in.workload;
  cand.limit = models::largest_batch(w, replica);
  cand.capacity_per_s = c.pp * models::replica_capacity(timer, w, replica);
  cand.unloaded_ttft_s = models::unloaded_ttft(timer, w.input_at_percentile, c.tokens);
  cand.unloaded_tpot_s = models::unloaded_tpot(timer, w.input_at_percentile);
  models::FleetEstimate at_max;
  const auto fewest = models::fewest_replicas(timer, w, replica, in.slo, in.plan.slo_percentile,
                                              in.plan.max_replicas * c.pp, &at_max);
  cand.meets = fewest.has_value();
  cand.estimate = fewest ? *fewest : at_max;
  if (c.pp > 1) {
    // Whole replicas: the engines rounded up to a multiple of pp, estimated there.
    const int replicas = (cand.estimate.replicas + c.pp - 1) / c.pp;
    cand.estimate =
        models::estimate_fleet(timer, w, replica, replicas * c.pp, in.plan.slo_percentile);
    cand.estimate.replicas = replicas;
  }
  std::string missing;
  const pricing::ServedTokens served{w.rate_per_s > 0 ? 1.0 : 0.0, w.rate_per_s * w.mean_input,
                                     w.rate_per_s * w.mean_output, cand.estimate.prefill_share};
  // One second of the steady state: lambda I input and lambda O output tokens.
  cand.cost = pricing::serving_fleet_cost(in.catalog_entries[c.instance],
                                          static_cast<double>(cand.gpus()), served, missing);
  out.candidate = cand;
  return out;
}

// Why a pool of a disaggregated fleet cannot take its tp.
std::optional<std::string> pool_tp_problem(const ServingSearchInput& in, const InstanceOption& inst,
                                           int tp, const char* pool) {
  if (auto why = models::tp_problem(in.model, inst.node, tp)) {
    return fmt::format("{} tp: {}", pool, *why);
  }
  if (in.expert_parallel) {
    if (auto why = models::ep_problem(in.model, tp)) {
      return fmt::format("{} tp, expert parallelism: {}", pool, *why);
    }
  }
  return std::nullopt;
}

// Why a pool's replica cannot hold what it must (`tokens` of `what`).
std::optional<std::string> pool_memory_problem(const models::KvCacheSize& kv, std::int64_t tokens,
                                               const char* pool, const char* what) {
  if (kv.blocks <= 0) {
    return fmt::format("no memory left for a {} replica's KV cache (weights and activations)",
                       pool);
  }
  if (models::blocks_for(tokens, kv.block_size) > kv.blocks) {
    return fmt::format("{} does not fit a {} replica's KV cache", what, pool);
  }
  return std::nullopt;
}

// A disaggregated fleet: prefill replicas of tp c.tp, decode replicas of tp c.decode_tp, each
// pool sized for its own SLO (models/serving/disagg_estimate.hpp).
Slot evaluate_disagg(const ServingSearchInput& in, const Combination& c) {
  Slot out;
  const InstanceOption& inst = in.instances[c.instance];
  const models::DisaggPlanSpec& plan = *in.plan.disaggregation;
  ServingCandidate cand;
  cand.instance = c.instance;
  cand.tp = c.tp;
  cand.scheduler = in.scheduler;
  cand.scheduler.max_num_seqs = c.seqs;
  cand.scheduler.max_num_batched_tokens = c.tokens;
  const models::SchedulerConfig& sc = cand.scheduler;
  const models::GpuSpec& gpu = inst.node.gpu;
  for (const auto& [tp, pool] : {std::pair{c.tp, "prefill"}, std::pair{c.decode_tp, "decode"}}) {
    if (auto why = pool_tp_problem(in, inst, tp, pool)) {
      out.pruned = "disaggregated: " + *why;
      return out;
    }
  }
  const models::KvCacheSize prefill_kv =
      models::kv_cache_size(in.model, gpu, in.numerics, c.tp, sc);
  const models::KvCacheSize decode_kv =
      models::kv_cache_size(in.model, gpu, in.numerics, c.decode_tp, sc);
  auto why = pool_memory_problem(prefill_kv, in.largest_input, "prefill", "the longest prompt");
  if (!why) {
    why = pool_memory_problem(decode_kv, in.largest_cached, "decode", "the largest request");
  }
  if (why) {
    out.pruned = "disaggregated: " + *why;
    return out;
  }
  // As serve checks: a prompt, or a decode replica's recompute, runs whole without chunking.
  const std::int64_t whole = std::max(in.largest_input, sc.reserve_full ? 1 : in.largest_cached);
  if (!sc.chunked_prefill && whole > sc.max_num_batched_tokens) {
    out.pruned = "the largest request above max_num_batched_tokens without chunked prefill";
    return out;
  }
  if (models::kv_link_problem(inst.node, c.tp, c.decode_tp, plan.transfer)) {
    out.pruned = plan.transfer == models::KvTransferLink::kNvlink
                     ? "disaggregated: a prefill and a decode replica do not fit one node "
                       "(transfer \"nvlink\")"
                     : "disaggregated: the node has no NICs (transfer \"network\")";
    return out;
  }
  DisaggCandidate d;
  d.decode_tp = c.decode_tp;
  d.transfer = plan.transfer;
  d.link = models::kv_link(inst.node, c.tp, c.decode_tp, plan.transfer);
  // One token's KV over every layer and KV head: a tp-1 replica's per-GPU figure.
  d.kv_bytes_per_token = models::kv_cache_size(in.model, gpu, in.numerics, 1, sc).bytes_per_token;
  d.prefill_kv_blocks = prefill_kv.blocks;
  cand.kv_blocks = decode_kv.blocks;
  models::IterationModel prefill_timer = iteration_model(in, inst, c, c.tp);
  models::IterationModel decode_timer = iteration_model(in, inst, c, c.decode_tp);
  const models::DisaggPools pools{{sc, prefill_kv.engine_tokens()},
                                  {sc, decode_kv.engine_tokens()},
                                  d.link.link,
                                  d.kv_bytes_per_token};
  const models::WorkloadShape& w = in.workload;
  cand.limit = models::decode_largest_batch(w, pools.decode);
  d.prefill_capacity_per_s = models::prefill_replica_capacity(prefill_timer, w, pools.prefill);
  d.decode_capacity_per_s = models::decode_replica_capacity(decode_timer, w, pools.decode);
  cand.capacity_per_s = std::min(d.prefill_capacity_per_s, d.decode_capacity_per_s);
  cand.unloaded_ttft_s = models::unloaded_ttft(prefill_timer, w.input_at_percentile, c.tokens);
  cand.unloaded_tpot_s = models::unloaded_tpot(decode_timer, w.input_at_percentile);
  models::DisaggEstimate at_max;
  const auto fewest = models::fewest_disagg(prefill_timer, decode_timer, w, pools, in.slo,
                                            in.plan.slo_percentile, in.plan.max_replicas, &at_max);
  cand.meets = fewest.has_value();
  d.estimate = fewest ? *fewest : at_max;
  const models::DisaggEstimate& e = d.estimate;
  cand.estimate.replicas = e.prefill.replicas + e.decode.replicas;
  cand.estimate.batch = e.decode.batch;
  cand.estimate.utilisation = e.decode.utilisation;
  cand.estimate.iteration_s = e.decode.iteration_s;
  cand.estimate.ttft_s = e.prefill.latency_s;
  cand.estimate.tpot_s = e.decode.latency_s;
  cand.estimate.overloaded = e.overloaded();
  cand.disagg = d;
  // The prefill pool's GPUs are the input tokens' share of the price.
  const double gpus = cand.gpus();
  cand.estimate.prefill_share = e.prefill.replicas * c.tp / gpus;
  std::string missing;
  const pricing::ServedTokens served{w.rate_per_s > 0 ? 1.0 : 0.0, w.rate_per_s * w.mean_input,
                                     w.rate_per_s * w.mean_output, cand.estimate.prefill_share};
  cand.cost = pricing::serving_fleet_cost(in.catalog_entries[c.instance], gpus, served, missing);
  out.candidate = cand;
  return out;
}

double cost_key(const ServingCandidate& c) {
  return c.cost ? c.cost->usd_per_million_tokens : std::numeric_limits<double>::infinity();
}

}  // namespace

bool ranks_before(models::ServingObjective objective, double rate_per_s, const ServingCandidate& a,
                  std::size_t ia, const ServingCandidate& b, std::size_t ib) {
  if (objective == models::ServingObjective::kGoodput) {
    const double ga = rate_per_s / a.gpus(), gb = rate_per_s / b.gpus();
    if (ga != gb) return ga > gb;
    if (cost_key(a) != cost_key(b)) return cost_key(a) < cost_key(b);
  } else {
    if (cost_key(a) != cost_key(b)) return cost_key(a) < cost_key(b);
  }
  if (a.gpus() != b.gpus()) return a.gpus() < b.gpus();
  return ia < ib;
}

ServingSearch search_serving(const ServingSearchInput& in) {
  std::vector<Combination> combos;
  for (std::uint32_t i = 0; i < in.instances.size(); ++i) {
    for (int tp : in.plan.tp) {
      for (int pp : in.plan.pp) {
        for (int seqs : in.plan.max_num_seqs) {
          for (int tokens : in.plan.max_num_batched_tokens) {
            combos.push_back({i, tp, pp, seqs, tokens});
          }
        }
      }
    }
  }
  if (in.plan.disaggregation) {
    const models::DisaggPlanSpec& d = *in.plan.disaggregation;
    for (std::uint32_t i = 0; i < in.instances.size(); ++i) {
      for (int prefill_tp : d.prefill_tp) {
        for (int decode_tp : d.decode_tp) {
          for (int seqs : in.plan.max_num_seqs) {
            for (int tokens : in.plan.max_num_batched_tokens) {
              combos.push_back({i, prefill_tp, 1, seqs, tokens, decode_tp});
            }
          }
        }
      }
    }
  }
  std::vector<Slot> slots(combos.size());
  parallel_for(combos.size(), in.threads, [&](std::size_t i) {
    const Combination& c = combos[i];
    slots[i] = c.decode_tp > 0 ? evaluate_disagg(in, c) : evaluate(in, c);
  });
  ServingSearch out;
  out.combinations = static_cast<double>(combos.size());
  for (Slot& s : slots) {
    if (s.candidate) {
      out.candidates.push_back(std::move(*s.candidate));
    } else {
      ++out.pruned[s.pruned];
      ++out.infeasible;
    }
  }
  for (std::size_t i = 0; i < out.candidates.size(); ++i) {
    if (out.candidates[i].meets) out.ranked.push_back(i);
  }
  const double rate = in.workload.rate_per_s;
  std::sort(out.ranked.begin(), out.ranked.end(), [&](std::size_t a, std::size_t b) {
    return ranks_before(in.plan.objective, rate, out.candidates[a], a, out.candidates[b], b);
  });
  std::vector<Point> points;
  for (std::size_t i : out.ranked) {
    const ServingCandidate& c = out.candidates[i];
    if (c.cost) points.push_back({c.estimate.ttft_s, c.cost->usd_per_million_tokens, i});
  }
  out.pareto = pareto_frontier(points);
  return out;
}

}  // namespace cirrus::plan
