#include "plan/planner.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>

#include <fmt/format.h>
#include "common/units.hpp"
#include "models/step/analytic_step.hpp"
#include "models/step/simulate.hpp"
#include "models/network/topology.hpp"
#include "models/workload/validity.hpp"

namespace cirrus::plan {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

RunEconomics default_economics(const InstanceOption& inst, int nodes, double step_s, double steps) {
  RunEconomics e;
  e.run_seconds = step_s * steps;
  if (inst.usd_per_hour) {
    e.usd_per_hour = *inst.usd_per_hour * nodes;
    e.usd_total = *e.usd_per_hour * e.run_seconds / kSecondsPerHour;
  }
  return e;
}

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

double sort_key(const Candidate& c, bool by_cost) {
  if (by_cost) return c.economics.usd_total.value_or(kInf);
  return c.economics.run_seconds;
}

// Strict weak order for ranking: objective, then the other measure, then enumeration order.
bool better(const Candidate& a, std::size_t ia, const Candidate& b, std::size_t ib, bool by_cost) {
  const double ka = sort_key(a, by_cost);
  const double kb = sort_key(b, by_cost);
  if (ka != kb) return ka < kb;
  const double sa = sort_key(a, !by_cost);
  const double sb = sort_key(b, !by_cost);
  if (sa != sb) return sa < sb;
  return ia < ib;
}

}  // namespace

models::StepInput candidate_input(const scenarios::Scenario& s, const SearchSpace& space,
                                  const Candidate& c) {
  models::StepInput in;
  in.model = s.model;
  in.training = s.training;
  in.cluster.node = space.instances[c.instance].node;
  in.cluster.nodes = c.nodes;
  in.cluster.network = s.network;
  in.strategy = c.strategy;
  in.profile = space.instances[c.instance].profile;
  return in;
}

PlanResult run_plan(const scenarios::Scenario& s, const SearchSpace& space,
                    const PlanOptions& options) {
  PlanResult out;
  out.raw_combinations = space.raw_combinations();
  const double tokens_per_step =
      static_cast<double>(s.training.global_batch) * static_cast<double>(s.model.seq_len);
  out.steps = s.training.tokens > 0 ? std::ceil(s.training.tokens / tokens_per_step) : 1.0;
  const EconomicsFn economics = options.economics ? options.economics : default_economics;

  std::vector<Block> blocks;
  for (std::uint32_t i = 0; i < space.instances.size(); ++i) {
    for (int n : space.nodes) {
      for (int tp : space.tp) blocks.push_back({i, n, tp});
    }
  }
  std::vector<BlockOutput> outputs(blocks.size());
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> done{0};
  std::mutex progress_mutex;

  auto work = [&]() {
    for (;;) {
      const std::size_t bi = next.fetch_add(1);
      if (bi >= blocks.size()) return;
      const Block& blk = blocks[bi];
      BlockOutput& bo = outputs[bi];
      const InstanceOption& inst = space.instances[blk.instance];
      models::StepInput in;
      in.model = s.model;
      in.training = s.training;
      in.cluster.node = inst.node;
      in.cluster.nodes = blk.nodes;
      in.cluster.network = s.network;
      in.profile = inst.profile;
      auto& st = in.strategy;
      st.tp = blk.tp;
      st.overlap = space.overlap;
      st.attention = space.attention;
      st.dp_shard = space.dp_shard;
      st.recompute_every = space.recompute_every;
      st.offload = space.offload;
      const long gpus = static_cast<long>(inst.node.gpus) * blk.nodes;
      auto prune = [&](const std::string& reason) {
        auto it = bo.pruned.try_emplace(reason, 0).first;
        ++it->second;
        if (options.keep_pruned) {
          bo.dropped.push_back({{blk.instance, blk.nodes, st, 0}, &it->first});
        }
      };
      for (int pp : space.pp) {
        for (int cp : space.cp) {
          const long per_replica = static_cast<long>(blk.tp) * pp * cp;
          std::vector<int> dps;
          if (space.dp_derived) {
            dps.push_back(gpus % per_replica == 0 ? static_cast<int>(gpus / per_replica) : 0);
          } else {
            dps = space.dp;
          }
          for (int dp : dps) {
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
                          if (dp == 0) {
                            prune("tp x pp x cp does not divide the GPU count");
                            continue;
                          }
                          if (st.offload.params_offloaded() && !st.offload.optimizer_offloaded()) {
                            // The loader refuses this pair when it is pinned (systems_blocks).
                            prune("parameters offloaded with the optimizer states on the GPU");
                            continue;
                          }
                          if (auto v = models::check_configuration(in.model, in.training, st,
                                                                   in.cluster)) {
                            prune(v->rule);
                            continue;
                          }
                          const models::StepResult r = models::analytic_step(in);
                          if (!r.feasible) {
                            prune(models::summary(r.infeasibility));
                            continue;
                          }
                          ++bo.evaluated;
                          Candidate c;
                          c.instance = blk.instance;
                          c.nodes = blk.nodes;
                          c.strategy = st;
                          c.step_seconds = r.step_time_s;
                          c.economics = economics(inst, blk.nodes, r.step_time_s, out.steps);
                          bo.feasible.push_back(c);
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
      const std::size_t d = done.fetch_add(1) + 1;
      if (options.progress) {
        std::lock_guard<std::mutex> lock(progress_mutex);
        options.progress(static_cast<double>(d) / static_cast<double>(blocks.size()));
      }
    }
  };
  const int threads = std::max(1, options.threads);
  {
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t) pool.emplace_back(work);
    work();
    for (auto& t : pool) t.join();
  }
  for (auto& bo : outputs) {
    out.evaluated += bo.evaluated;
    for (const auto& [reason, n] : bo.pruned) {
      out.pruned[reason] += n;
      out.infeasible += n;
    }
    for (auto& c : bo.feasible) out.candidates.push_back(std::move(c));
  }
  if (options.keep_pruned) {
    for (const auto& [reason, n] : out.pruned) out.pruned_reasons.push_back(reason);
    for (auto& bo : outputs) {
      for (auto& [p, reason] : bo.dropped) {
        const auto at = std::lower_bound(out.pruned_reasons.begin(), out.pruned_reasons.end(),
                                         *reason);
        p.reason = static_cast<std::uint32_t>(at - out.pruned_reasons.begin());
        out.pruned_candidates.push_back(p);
      }
      bo.dropped.clear();
    }
  }

  const bool by_cost = s.objective.minimize == "cost";
  auto meets = [&](const Candidate& c) {
    if (s.objective.max_days && c.economics.run_seconds / kSecondsPerDay > *s.objective.max_days) {
      return false;
    }
    if (s.objective.max_usd &&
        (!c.economics.usd_total || *c.economics.usd_total > *s.objective.max_usd)) {
      return false;
    }
    return !by_cost || c.economics.usd_total.has_value();
  };
  auto rank = [&](std::vector<std::size_t>& idx) {
    std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
      return better(out.candidates[a], a, out.candidates[b], b, by_cost);
    });
  };
  std::vector<std::size_t> order(out.candidates.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  for (auto& c : out.candidates) c.meets_limits = meets(c);
  rank(order);

  // Refine: the best K under the limits (or overall when none meets them), by the engine.
  std::vector<std::size_t> to_refine;
  for (std::size_t i : order) {
    if (static_cast<int>(to_refine.size()) >= options.refine) break;
    if (out.candidates[i].meets_limits) to_refine.push_back(i);
  }
  if (to_refine.empty()) {
    for (std::size_t i : order) {
      if (static_cast<int>(to_refine.size()) >= options.refine) break;
      to_refine.push_back(i);
    }
  }
  {
    // The flow model needs each candidate's cluster network. Candidates on the same instance
    // and node count share one topology, built once (in parallel) before the candidates run:
    // a 16k-GPU fabric is a few hundred thousand links.
    std::vector<std::pair<std::size_t, int>> clusters;  // (instance, nodes), sorted
    for (std::size_t i : to_refine) clusters.emplace_back(out.candidates[i].instance,
                                                         out.candidates[i].nodes);
    std::sort(clusters.begin(), clusters.end());
    clusters.erase(std::unique(clusters.begin(), clusters.end()), clusters.end());
    std::vector<std::optional<models::NetworkTopology>> topologies(clusters.size());
    // Runs body(0..count-1) on the threads; the exception of the lowest index, if any, is
    // rethrown afterwards (a topology error, say), whatever the thread count.
    auto parallel = [&](std::size_t count, const auto& body) {
      std::atomic<std::size_t> cursor{0};
      std::vector<std::exception_ptr> errors(count);
      auto worker = [&]() {
        for (std::size_t j = cursor.fetch_add(1); j < count; j = cursor.fetch_add(1)) {
          try {
            body(j);
          } catch (...) {
            errors[j] = std::current_exception();
          }
        }
      };
      std::vector<std::thread> pool;
      for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
      worker();
      for (auto& t : pool) t.join();
      for (const auto& e : errors) {
        if (e) std::rethrow_exception(e);
      }
    };
    parallel(clusters.size(), [&](std::size_t j) {
      Candidate probe;
      probe.instance = clusters[j].first;
      probe.nodes = clusters[j].second;
      const models::StepInput in = candidate_input(s, space, probe);
      topologies[j].emplace(in.cluster, models::topology_options(in.cluster.network));
    });
    std::vector<models::StepResult> results(to_refine.size());
    parallel(to_refine.size(), [&](std::size_t j) {
      {
        Candidate& c = out.candidates[to_refine[j]];
        const auto at = std::lower_bound(clusters.begin(), clusters.end(),
                                         std::pair<std::size_t, int>(c.instance, c.nodes));
        models::SimulateOptions so;
        so.topology = &*topologies[static_cast<std::size_t>(at - clusters.begin())];
        results[j] = models::simulate_step(candidate_input(s, space, c), so);
        const models::StepResult& r = results[j];
        c.step_seconds = r.step_time_s;
        c.economics = economics(space.instances[c.instance], c.nodes, r.step_time_s, out.steps);
        c.refined = true;
      }
    });
    for (std::size_t j = 0; j < to_refine.size(); ++j) {
      out.refined_results[to_refine[j]] = std::move(results[j]);
    }
  }
  out.refined = to_refine.size();
  for (auto& c : out.candidates) c.meets_limits = meets(c);
  rank(order);

  // The best is a refined candidate when one meets the limits: the engine has the last word.
  for (std::size_t i : order) {
    if (out.candidates[i].meets_limits && out.candidates[i].refined) {
      out.best = i;
      break;
    }
  }
  if (!out.best) {
    for (std::size_t i : order) {
      if (out.candidates[i].meets_limits) {
        out.best = i;
        break;
      }
    }
  }
  if (!out.best) {
    if (out.candidates.empty()) {
      out.no_best_reason = "no configuration is feasible (every candidate was pruned)";
    } else {
      double fastest = kInf;
      double cheapest = kInf;
      for (const auto& c : out.candidates) {
        fastest = std::min(fastest, c.economics.run_seconds / kSecondsPerDay);
        cheapest = std::min(cheapest, c.economics.usd_total.value_or(kInf));
      }
      std::string why;
      if (s.objective.max_days && fastest > *s.objective.max_days) {
        why += fmt::format("max_days {} binds: the fastest configuration takes {:.1f} days",
                           *s.objective.max_days, fastest);
      }
      if (s.objective.max_usd && cheapest > *s.objective.max_usd) {
        if (!why.empty()) why += "; ";
        why += fmt::format("max_usd {:.0f} binds: the cheapest configuration costs ${:.0f}",
                           *s.objective.max_usd, cheapest);
      }
      if (why.empty()) {
        why = cheapest == kInf ? "no instance has a price under this pricing model"
                               : "no single configuration meets max_days and max_usd together";
      }
      out.no_best_reason = "no configuration meets the limits: " + why;
    }
  }

  std::vector<Point> points;
  for (std::size_t i = 0; i < out.candidates.size(); ++i) {
    const auto& c = out.candidates[i];
    if (c.economics.usd_total)
      points.push_back({c.economics.run_seconds, *c.economics.usd_total, i});
  }
  out.pareto = pareto_frontier(std::move(points));
  // The top K: those within the limits first, then (if too few) the closest misses.
  for (int pass = 0; pass < 2; ++pass) {
    for (std::size_t i : order) {
      if (static_cast<int>(out.top.size()) >= options.top) break;
      if (out.candidates[i].meets_limits == (pass == 0)) out.top.push_back(i);
    }
  }
  return out;
}

}  // namespace cirrus::plan
