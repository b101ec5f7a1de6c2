#include "plan/search.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>

#include "common/parallel_for.hpp"
#include "models/step/analytic_step.hpp"
#include "models/workload/validity.hpp"

namespace cirrus::plan {
namespace {

// One block of the enumeration: an (instance, nodes, tp) triple.
struct Block {
  std::uint32_t instance;
  int nodes;
  int tp;
};

struct BlockOutput {
  std::vector<Candidate> feasible;
  std::map<std::string, std::size_t> pruned;
  // With keep_pruned: the pruned combinations, pointing at their reason's key in `pruned`
  // (map keys do not move).
  std::vector<std::pair<PrunedCandidate, const std::string*>> dropped;
  std::size_t evaluated = 0;
};

// What every block's evaluation shares.
struct SearchContext {
  const scenarios::Scenario& s;
  const SearchSpace& space;
  const EconomicsFn& economics;
  double steps = 0;
  bool keep_pruned = false;
};

std::vector<Block> make_blocks(const SearchSpace& space) {
  std::vector<Block> blocks;
  for (std::uint32_t i = 0; i < space.instances.size(); ++i) {
    for (int n : space.nodes) {
      for (int tp : space.tp) blocks.push_back({i, n, tp});
    }
  }
  return blocks;
}

// The block's StepInput with the strategy fields the space pins; search_block sets the rest.
models::StepInput block_input(const SearchContext& ctx, const Block& blk) {
  const InstanceOption& inst = ctx.space.instances[blk.instance];
  models::StepInput in;
  in.model = ctx.s.model;
  in.training = ctx.s.training;
  in.cluster.node = inst.node;
  in.cluster.nodes = blk.nodes;
  in.cluster.network = ctx.s.network;
  in.profile = inst.profile;
  auto& st = in.strategy;
  st.tp = blk.tp;
  st.overlap = ctx.space.overlap;
  st.attention = ctx.space.attention;
  st.dp_shard = ctx.space.dp_shard;
  st.recompute_every = ctx.space.recompute_every;
  st.offload = ctx.space.offload;
  return in;
}

// The data-parallel degrees to visit for tp x pp x cp = per_replica: the scenario's list, or
// the one that fills the GPUs (0 when none does, pruned with its reason).
std::vector<int> dp_choices(const SearchSpace& space, long gpus, long per_replica) {
  if (!space.dp_derived) return space.dp;
  return {gpus % per_replica == 0 ? static_cast<int>(gpus / per_replica) : 0};
}

void prune(const SearchContext& ctx, const Block& blk, const models::Strategy& st,
           const std::string& reason, BlockOutput& bo) {
  auto it = bo.pruned.try_emplace(reason, 0).first;
  ++it->second;
  if (ctx.keep_pruned) bo.dropped.push_back({{blk.instance, blk.nodes, st, 0}, &it->first});
}

// One combination: pruned with its reason, or priced and kept.
void evaluate(const SearchContext& ctx, const Block& blk, const models::StepInput& in,
              BlockOutput& bo) {
  const models::Strategy& st = in.strategy;
  if (st.dp == 0) {
    prune(ctx, blk, st, "tp x pp x cp does not divide the GPU count", bo);
    return;
  }
  if (st.offload.params_offloaded() && !st.offload.optimizer_offloaded()) {
    // The loader refuses this pair when it is pinned (systems_blocks).
    prune(ctx, blk, st, "parameters offloaded with the optimizer states on the GPU", bo);
    return;
  }
  if (auto v = models::check_configuration(in.model, in.training, st, in.cluster)) {
    prune(ctx, blk, st, v->rule, bo);
    return;
  }
  const models::StepResult r = models::analytic_step(in);
  if (!r.feasible) {
    prune(ctx, blk, st, models::summary(r.infeasibility), bo);
    return;
  }
  Candidate c;
  c.instance = blk.instance;
  c.nodes = blk.nodes;
  c.strategy = st;
  c.step_seconds = r.step_time_s;
  c.economics =
      ctx.economics(ctx.space.instances[blk.instance], blk.nodes, r.step_time_s, ctx.steps);
  if (!c.economics.unfit.empty()) {
    // The run breaks its pricing model's terms (a capacity block too long or too large).
    prune(ctx, blk, st, c.economics.unfit, bo);
    return;
  }
  ++bo.evaluated;
  bo.feasible.push_back(c);
}

// Every combination of the block, in enumeration order: the order of the candidates.
void search_block(const SearchContext& ctx, const Block& blk, BlockOutput& bo) {
  const SearchSpace& space = ctx.space;
  models::StepInput in = block_input(ctx, blk);
  models::Strategy& st = in.strategy;
  const long gpus = static_cast<long>(space.instances[blk.instance].node.gpus) * blk.nodes;
  for (int pp : space.pp) {
    for (int cp : space.cp) {
      for (int dp : dp_choices(space, gpus, static_cast<long>(blk.tp) * pp * cp)) {
        for (int ep : space.ep) {
          for (int mb : space.micro_batch) {
            for (auto sched : space.schedule) {
              for (int vs : space.virtual_stages) {
                if (!space.visits(sched, vs)) continue;
                for (bool sp : space.sequence_parallel) {
                  for (int zero : space.zero) {
                    for (auto rc : space.recompute) {
                      for (auto op : space.offload_params) {
                        for (auto oo : space.offload_optimizer) {
                          st.offload.params = op;
                          st.offload.optimizer = oo;
                          st.pp = pp;
                          st.cp = cp;
                          st.dp = dp;
                          st.ep = ep;
                          st.micro_batch = mb;
                          st.schedule = sched;
                          st.virtual_stages = vs;
                          st.sequence_parallel = sp;
                          st.zero = zero;
                          st.recompute = rc;
                          evaluate(ctx, blk, in, bo);
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}

// The blocks' outputs in block order: counts, candidates and (with keep_pruned) the pruned
// combinations, each pointing at its reason's place among the sorted reasons.
void merge_blocks(std::vector<BlockOutput>& outputs, bool keep_pruned, PlanResult& out) {
  for (auto& bo : outputs) {
    out.evaluated += bo.evaluated;
    for (const auto& [reason, n] : bo.pruned) {
      out.pruned[reason] += n;
      out.infeasible += n;
    }
    out.candidates.insert(out.candidates.end(), bo.feasible.begin(), bo.feasible.end());
  }
  if (!keep_pruned) return;
  for (const auto& [reason, n] : out.pruned) out.pruned_reasons.push_back(reason);
  for (auto& bo : outputs) {
    for (auto& [p, reason] : bo.dropped) {
      const auto at =
          std::lower_bound(out.pruned_reasons.begin(), out.pruned_reasons.end(), *reason);
      p.reason = static_cast<std::uint32_t>(at - out.pruned_reasons.begin());
      out.pruned_candidates.push_back(p);
    }
    bo.dropped.clear();
  }
}

}  // namespace

void search_candidates(const scenarios::Scenario& s, const SearchSpace& space,
                       const PlanOptions& options, const EconomicsFn& economics, PlanResult& out) {
  const SearchContext ctx{s, space, economics, out.steps, options.keep_pruned};
  const std::vector<Block> blocks = make_blocks(space);
  std::vector<BlockOutput> outputs(blocks.size());
  std::atomic<std::size_t> done{0};
  std::mutex progress_mutex;
  parallel_for(blocks.size(), options.threads, [&](std::size_t i) {
    search_block(ctx, blocks[i], outputs[i]);
    const std::size_t d = done.fetch_add(1) + 1;
    if (options.progress) {
      std::lock_guard<std::mutex> lock(progress_mutex);
      options.progress("searching", static_cast<double>(d) / static_cast<double>(blocks.size()));
    }
  });
  merge_blocks(outputs, options.keep_pruned, out);
}

}  // namespace cirrus::plan
