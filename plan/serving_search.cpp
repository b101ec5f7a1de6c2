#include "plan/serving_search.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/parallel_for.hpp"
#include "models/serving/iteration_time.hpp"
#include "models/serving/replica_rules.hpp"
#include "plan/pareto.hpp"

namespace cirrus::plan {
namespace {

struct Combination {
  std::uint32_t instance;
  int tp, pp, seqs, tokens;
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
  models::IterationSetup setup;
  setup.model = in.model;
  setup.node = inst.node;
  setup.numerics = in.numerics;
  setup.tp = c.tp;
  setup.expert_parallel = in.expert_parallel;
  setup.pp = c.pp;
  setup.max_tokens = c.tokens;
  setup.max_seqs = c.seqs;
  setup.profile = inst.profile;
  models::IterationModel timer(setup);
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
  std::vector<Slot> slots(combos.size());
  parallel_for(combos.size(), in.threads,
               [&](std::size_t i) { slots[i] = evaluate(in, combos[i]); });
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
