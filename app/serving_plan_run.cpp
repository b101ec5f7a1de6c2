#include "app/serving_plan_run.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "app/profiles.hpp"
#include "app/serving_disagg.hpp"
#include "app/serving_fleet.hpp"
#include "common/input_error.hpp"
#include "common/parallel_for.hpp"
#include "plan/instance_options.hpp"

namespace cirrus::app {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// The plan's lists, with the serving block's own values where the plan leaves one out, and
// "auto" tp as every divisor of an instance's GPU count (the tp rule prunes the rest).
models::ServingPlanSpec filled_plan(const models::ServingSpec& spec,
                                    const std::vector<plan::InstanceOption>& instances) {
  models::ServingPlanSpec p = spec.plan ? *spec.plan : models::ServingPlanSpec{};
  if (p.tp_auto) {
    for (const auto& inst : instances) {
      for (int tp = 1; tp <= inst.node.gpus; ++tp) {
        if (inst.node.gpus % tp == 0 && std::find(p.tp.begin(), p.tp.end(), tp) == p.tp.end()) {
          p.tp.push_back(tp);
        }
      }
    }
    std::sort(p.tp.begin(), p.tp.end());
  }
  if (p.tp.empty()) p.tp = {spec.tp};
  if (p.pp.empty()) p.pp = {spec.pp};
  if (p.max_num_seqs.empty()) p.max_num_seqs = {spec.scheduler.max_num_seqs};
  if (p.max_num_batched_tokens.empty()) {
    p.max_num_batched_tokens = {spec.scheduler.max_num_batched_tokens};
  }
  if (p.disaggregation) {
    if (p.disaggregation->prefill_tp.empty()) p.disaggregation->prefill_tp = p.tp;
    if (p.disaggregation->decode_tp.empty()) p.disaggregation->decode_tp = p.tp;
  }
  return p;
}

// The load and the mean request of the scenario's stream; the percentile's prompt by nearest
// rank. A trace's rate is its requests over the span of their arrivals.
models::WorkloadShape workload_of(const scenarios::Scenario& s, const models::ServingSpec& spec,
                                  const ServingRequests& r, int percentile) {
  models::WorkloadShape w;
  std::vector<double> inputs;
  inputs.reserve(r.list.size());
  double in = 0, in_squared = 0, out = 0;
  for (const models::Request& q : r.list) {
    inputs.push_back(q.input_len);
    in += q.input_len;
    in_squared += static_cast<double>(q.input_len) * q.input_len;
    out += q.output_len;
  }
  const auto n = static_cast<double>(r.list.size());
  w.mean_input = in / n;
  w.mean_input_squared = in_squared / n;
  w.mean_output = out / n;
  std::sort(inputs.begin(), inputs.end());
  w.input_at_percentile = static_cast<std::int64_t>(models::nearest_rank(inputs, percentile));
  constexpr int kShares = 20;
  for (int k = 0; k < kShares; ++k) {
    w.input_quantiles.push_back(models::nearest_rank(inputs, 100.0 * (k + 0.5) / kShares));
  }
  if (spec.arrivals.kind != models::ArrivalKind::kTrace) {
    w.rate_per_s = spec.arrivals.rate_per_s;
    return w;
  }
  const double span = (r.list.back().arrival - r.list.front().arrival).seconds();
  if (!(span > 0)) {
    throw InputError(s.file, "serving.arrivals.trace",
                     "a trace whose arrivals spread over time (a plan sizes the fleet for their "
                     "rate)",
                     fmt::format("{} requests at one instant", r.list.size()));
  }
  w.rate_per_s = n / span;
  return w;
}

std::string slo_words(const models::Slo& slo, int p) {
  std::vector<std::string> parts;
  if (slo.ttft_s) parts.push_back(fmt::format("p{} TTFT {:g} ms", p, *slo.ttft_s * 1e3));
  if (slo.tpot_s) parts.push_back(fmt::format("p{} TPOT {:g} ms", p, *slo.tpot_s * 1e3));
  return parts.size() == 2 ? parts[0] + " and " + parts[1] : parts[0];
}

std::string label(const ServingPlan& plan, const plan::ServingCandidate& c) {
  if (c.disagg) {
    return fmt::format(
        "{} disaggregated, prefill tp {}, decode tp {}, max_num_seqs {}, max_num_batched_tokens "
        "{}",
        plan.instances[c.instance].id, c.tp, c.disagg->decode_tp, c.scheduler.max_num_seqs,
        c.scheduler.max_num_batched_tokens);
  }
  return fmt::format("{} tp {}, max_num_seqs {}, max_num_batched_tokens {}",
                     plan.instances[c.instance].id, c.tp, c.scheduler.max_num_seqs,
                     c.scheduler.max_num_batched_tokens);
}

// How far a figure is over its SLO (1 at the SLO); the larger of the two.
struct Over {
  double ratio = 0;
  bool ttft = true;  // which SLO binds
};
Over over(const models::Slo& slo, double ttft_s, double tpot_s) {
  Over o;
  if (slo.ttft_s) o = {ttft_s / *slo.ttft_s, true};
  if (slo.tpot_s && tpot_s / *slo.tpot_s > o.ratio) o = {tpot_s / *slo.tpot_s, false};
  return o;
}

std::string one_slo(const models::Slo& slo, int p, bool ttft) {
  return ttft ? fmt::format("p{} TTFT {:g} ms", p, *slo.ttft_s * 1e3)
              : fmt::format("p{} TPOT {:g} ms", p, *slo.tpot_s * 1e3);
}

// Why no candidate meets the SLOs by estimate: the SLO that binds and the closest candidate.
std::string no_estimate_reason(const ServingPlan& plan) {
  const auto& cands = plan.search.candidates;
  const int p = plan.spec.slo_percentile;
  const std::string load = fmt::format("{:.4g} req/s", plan.workload.rate_per_s);
  if (cands.empty()) {
    std::string why;
    for (const auto& [reason, n] : plan.search.pruned) {
      why += fmt::format("{}{} x {}", why.empty() ? "" : "; ", n, reason);
    }
    return fmt::format(
        "no configuration can serve the requests: every one of the {:.0f} is "
        "pruned ({})",
        plan.search.combinations, why);
  }
  // Unloaded first: when no candidate meets an SLO even idle, no replica count helps.
  for (const bool ttft : {true, false}) {
    if (ttft ? !plan.slo.ttft_s : !plan.slo.tpot_s) continue;
    const double limit = ttft ? *plan.slo.ttft_s : *plan.slo.tpot_s;
    std::size_t best = 0;
    for (std::size_t i = 1; i < cands.size(); ++i) {
      const double a = ttft ? cands[i].unloaded_ttft_s : cands[i].unloaded_tpot_s;
      const double b = ttft ? cands[best].unloaded_ttft_s : cands[best].unloaded_tpot_s;
      if (a < b) best = i;
    }
    const double v = ttft ? cands[best].unloaded_ttft_s : cands[best].unloaded_tpot_s;
    if (v > limit) {
      return fmt::format(
          "no configuration meets {} at {}: the best, {}, reaches {:.3g} ms "
          "unloaded ({})",
          one_slo(plan.slo, p, ttft), load, label(plan, cands[best]), v * 1e3,
          ttft ? fmt::format("the p{} prompt of {} tokens alone on an idle replica", p,
                             plan.workload.input_at_percentile)
               : "one sequence alone");
    }
  }
  const int max = plan.spec.max_replicas;
  std::optional<std::size_t> closest;  // the smallest ratio to its SLO, not overloaded
  double closest_ratio = kInf;
  for (std::size_t i = 0; i < cands.size(); ++i) {
    const auto& e = cands[i].estimate;
    if (e.overloaded) continue;
    const double r = over(plan.slo, e.ttft_s, e.tpot_s).ratio;
    if (!closest || r < closest_ratio) {
      closest = i;
      closest_ratio = r;
    }
  }
  if (!closest) {
    // Every candidate overloaded at max_replicas: the fleet's capacity binds, whichever SLO.
    std::size_t best = 0;
    for (std::size_t i = 1; i < cands.size(); ++i) {
      if (cands[i].capacity_per_s > cands[best].capacity_per_s) best = i;
    }
    return fmt::format(
        "no configuration meets {} at {} within {} replicas "
        "(serving.plan.max_replicas): the best, {}, saturates at {:.4g} req/s "
        "(estimated)",
        slo_words(plan.slo, p), load, max, label(plan, cands[best]),
        cands[best].capacity_per_s * max);
  }
  const auto& c = cands[*closest];
  const Over o = over(plan.slo, c.estimate.ttft_s, c.estimate.tpot_s);
  return fmt::format(
      "no configuration meets {} at {} within {} replicas "
      "(serving.plan.max_replicas): the best, {}, reaches {:.3g} ms with {} "
      "(estimated)",
      one_slo(plan.slo, p, o.ttft), load, max, label(plan, c),
      (o.ttft ? c.estimate.ttft_s : c.estimate.tpot_s) * 1e3, max);
}

std::string no_simulated_reason(const ServingPlan& plan) {
  const int p = plan.spec.slo_percentile;
  std::size_t best = 0;
  double best_ratio = kInf;
  for (std::size_t i = 0; i < plan.rows.size(); ++i) {
    const double r = over(plan.slo, plan.rows[i].ttft_s, plan.rows[i].tpot_s).ratio;
    if (i == 0 || r < best_ratio) {
      best = i;
      best_ratio = r;
    }
  }
  const ServingPlanRow& row = plan.rows[best];
  const Over o = over(plan.slo, row.ttft_s, row.tpot_s);
  return fmt::format(
      "no configuration meets {} at {:.4g} req/s in simulation (the estimate's "
      "best {}, every one of {} seeds, up to {} replicas): the best, {} with {} "
      "replicas, reaches {:.3g} ms (seed {})",
      one_slo(plan.slo, p, o.ttft), plan.workload.rate_per_s, plan.rows.size(), plan.spec.seeds,
      plan.spec.max_replicas, label(plan, plan.search.candidates[row.candidate]),
      row.replicas_text(plan.search.candidates[row.candidate]),
      (o.ttft ? row.ttft_s : row.tpot_s) * 1e3, row.worst_seed);
}

double percentile_of(const models::LatencyStats& s, int p) {
  return p == 50 ? s.p50 : p == 99 ? s.p99 : s.p90;
}

struct ResimContext {
  const scenarios::Scenario& s;
  const models::ServingSpec& spec;
  const ServingPlan& plan;
  const std::vector<const pricing::Instance*>& entries;
  const std::vector<ServingRequests>& streams;  // by seed
  models::ServingNumerics numerics;
};

// Every seed's run of one fleet folded into a row: the worst percentile TTFT and TPOT, whether
// each met its SLO in every run, the cost of all the runs together.
struct SeedRuns {
  ServingPlanRow row;
  bool ttft_over = false, tpot_over = false;  // some seed's percentile above that SLO
};

template <class Run>
SeedRuns run_seeds(const ResimContext& ctx, std::size_t index, double gpus, Run&& run) {
  const plan::ServingCandidate& c = ctx.plan.search.candidates[index];
  const int p = ctx.plan.spec.slo_percentile;
  const models::Slo& slo = ctx.plan.slo;
  SeedRuns out;
  ServingPlanRow& row = out.row;
  row.candidate = index;
  pricing::ServedTokens served;
  double worst = -1;
  for (std::size_t k = 0; k < ctx.streams.size(); ++k) {
    const models::ServingMetrics m = run(ctx.streams[k]);
    const double ttft = percentile_of(m.ttft, p), tpot = percentile_of(m.tpot, p);
    row.ttft_s = std::max(row.ttft_s, ttft);
    row.tpot_s = std::max(row.tpot_s, tpot);
    const double r = over(slo, ttft, tpot).ratio;
    if (r > worst) {
      worst = r;
      row.worst_seed = ctx.spec.seed + k;
    }
    out.ttft_over = out.ttft_over || (slo.ttft_s && ttft > *slo.ttft_s);
    out.tpot_over = out.tpot_over || (slo.tpot_s && tpot > *slo.tpot_s);
    row.goodput_per_s += m.goodput_per_s.value_or(0) / ctx.streams.size();
    row.little_error = std::max(row.little_error, m.little.relative_error);
    served.seconds += m.makespan_s;
    served.input_tokens += m.input_tokens;
    served.output_tokens += m.output_tokens;
    served.prefill_share += m.prefill_share / ctx.streams.size();
  }
  row.meets = !out.ttft_over && !out.tpot_over;
  std::string missing;
  row.cost = pricing::serving_fleet_cost(ctx.entries[c.instance], gpus, served, missing);
  return out;
}

// The next replica count of a fleet that failed: x 1.25, at least one more, at most `max`.
int raised(int replicas, int max) {
  return std::min(max, std::max(replicas + 1, static_cast<int>(std::ceil(replicas * 1.25))));
}

// The most replicas that cannot carry `rate` at the estimated saturation throughput of one:
// ceil(rate / capacity) - 1 (0 without an estimate).
int saturated_below(double rate, double capacity_per_s) {
  if (!(capacity_per_s > 0) || !std::isfinite(rate / capacity_per_s)) return 0;
  const double below = std::ceil(rate / capacity_per_s) - 1;
  return static_cast<int>(std::clamp(below, 0.0, 65536.0));
}

// The fewest replicas in (failed, meets_at] whose runs meet, by bisection from `at` (the runs at
// meets_at), at most kMaxTrims more runs; `run(n)` simulates n replicas.
template <class Run>
SeedRuns fewest_meeting(int failed, int meets_at, SeedRuns at, Run&& run) {
  int lo = std::min(failed, meets_at - 1) + 1, hi = meets_at;
  for (int k = 0; lo < hi && k < kMaxTrims; ++k) {
    const int mid = lo + (hi - lo) / 2;
    SeedRuns r = run(mid);
    if (r.row.meets) {
      hi = mid;
      at = std::move(r);
    } else {
      lo = mid + 1;
    }
  }
  return at;
}

FleetSetup fleet_setup(const ResimContext& ctx, const plan::ServingCandidate& c) {
  const plan::InstanceOption& inst = ctx.plan.instances[c.instance];
  FleetSetup setup;
  setup.model = ctx.s.model;
  setup.node = inst.node;
  setup.profile = inst.profile;
  setup.numerics = ctx.numerics;
  setup.tp = c.tp;
  setup.expert_parallel = ctx.spec.expert_parallel;
  setup.pp = c.pp;
  setup.router = ctx.spec.router;
  setup.scheduler = c.scheduler;
  return setup;
}

// A disaggregated candidate, as `serve` runs serving.disaggregation: a pool whose SLO some seed
// missed gets more replicas (TTFT: the prefill pool, TPOT: the decode pool).
ServingPlanRow resimulate_disagg(const ResimContext& ctx, std::size_t index) {
  const plan::ServingCandidate& c = ctx.plan.search.candidates[index];
  const plan::DisaggCandidate& d = *c.disagg;
  const FleetSetup setup = fleet_setup(ctx, c);
  models::ServingSpec spec = ctx.spec;
  spec.scheduler = c.scheduler;
  spec.tp = c.tp;
  spec.pp = 1;
  models::DisaggregationSpec pools;
  pools.prefill_tp = c.tp;
  pools.decode_tp = d.decode_tp;
  pools.transfer = d.transfer;
  auto run = [&](int prefill, int decode) {
    pools.prefill_replicas = prefill;
    pools.decode_replicas = decode;
    spec.disaggregation = pools;
    SeedRuns runs = run_seeds(
        ctx, index, prefill * c.tp + decode * d.decode_tp, [&](const ServingRequests& stream) {
          return run_disaggregated(ctx.s, spec, setup, stream, false).run.metrics;
        });
    runs.row.replicas = prefill;
    runs.row.decode_replicas = decode;
    return runs;
  };
  const int max = ctx.plan.spec.max_replicas;
  const double rate = ctx.plan.workload.rate_per_s;
  int prefill = d.estimate.prefill.replicas, decode = d.estimate.decode.replicas;
  int prefill_failed = saturated_below(rate, d.prefill_capacity_per_s);
  int decode_failed = saturated_below(rate, d.decode_capacity_per_s);
  SeedRuns runs = run(prefill, decode);
  for (int raise = 0; !runs.row.meets && raise < kMaxRaises; ++raise) {
    const bool prefill_up = runs.ttft_over && prefill < max;
    const bool decode_up = runs.tpot_over && decode < max;
    if (!prefill_up && !decode_up) break;
    if (prefill_up) prefill_failed = std::exchange(prefill, raised(prefill, max));
    if (decode_up) decode_failed = std::exchange(decode, raised(decode, max));
    runs = run(prefill, decode);
  }
  if (!runs.row.meets) return runs.row;
  runs = fewest_meeting(prefill_failed, prefill, std::move(runs),
                        [&](int n) { return run(n, decode); });
  prefill = runs.row.replicas;
  runs = fewest_meeting(decode_failed, decode, std::move(runs),
                        [&](int n) { return run(prefill, n); });
  return runs.row;
}

// Simulates one candidate at increasing replica counts until every seed meets the SLOs, then
// the fewest that meet.
ServingPlanRow resimulate(const ResimContext& ctx, std::size_t index) {
  const plan::ServingCandidate& c = ctx.plan.search.candidates[index];
  if (c.disagg) return resimulate_disagg(ctx, index);
  const plan::InstanceOption& inst = ctx.plan.instances[c.instance];
  FleetSetup setup = fleet_setup(ctx, c);
  const models::KvCacheSize kv =
      models::kv_cache_size(ctx.s.model, inst.node.gpu, ctx.numerics, c.tp, c.scheduler, c.pp);
  auto run = [&](int replicas) {
    setup.replicas = replicas;
    SeedRuns runs = run_seeds(
        ctx, index, static_cast<double>(replicas) * c.tp * c.pp,
        [&](const ServingRequests& stream) {
          return simulate_serving_fleet(setup, kv, stream.list, ctx.plan.slo, ctx.s.file).metrics;
        });
    runs.row.replicas = replicas;
    return runs;
  };
  const int max = ctx.plan.spec.max_replicas;
  int replicas = c.estimate.replicas;
  int failed = saturated_below(ctx.plan.workload.rate_per_s, c.capacity_per_s);
  SeedRuns runs = run(replicas);
  for (int raise = 0; !runs.row.meets && replicas < max && raise < kMaxRaises; ++raise) {
    failed = std::exchange(replicas, raised(replicas, max));
    runs = run(replicas);
  }
  if (!runs.row.meets) return runs.row;
  return fewest_meeting(failed, replicas, std::move(runs), run).row;
}

}  // namespace

ServingPlan run_serving_plan(const Job& job, int threads) {
  const scenarios::Scenario& s = job.scenario;
  if (!s.serving) throw InputError(s.file, "serving", "a serving block", "none");
  const models::ServingSpec& spec = *s.serving;
  if (!spec.slo.ttft_s && !spec.slo.tpot_s) {
    throw InputError(s.file, "serving.slo", "an SLO for the plan to meet (ttft_ms, tpot_ms)",
                     "none");
  }
  const models::ServingNumerics numerics = models::serving_numerics(spec);
  ServingPlan plan;
  plan.scenario_name = s.name;
  plan.model_name = s.model.name;
  plan.slo = spec.slo;
  plan.seed = spec.seed;

  plan::ResolvedInstances resolved = plan::resolve_instances(s, job.catalogs);
  plan::SearchSpace space;
  space.instances = std::move(resolved.options);
  attach_scenario_profile(s, space, job.options.profiles);
  plan.instances = space.instances;
  plan.skipped = resolved.skipped;
  plan.spec = filled_plan(spec, plan.instances);

  // The scenario's stream, and the other seeds' for the re-simulations (a trace is the same
  // stream whatever the seed).
  std::vector<ServingRequests> streams;
  for (int k = 0; k < plan.spec.seeds; ++k) {
    if (k > 0 && spec.arrivals.kind == models::ArrivalKind::kTrace) break;
    streams.push_back(serving_requests(s, spec, spec.seed + static_cast<std::uint64_t>(k)));
  }
  const ServingRequests& requests = streams.front();
  plan.requests = requests.list.size();
  plan.workload = workload_of(s, spec, requests, plan.spec.slo_percentile);
  plan.arrivals = spec.arrivals.kind == models::ArrivalKind::kTrace
                      ? fmt::format("trace {} ({:.4g} req/s over its span)",
                                    spec.arrivals.trace.path, plan.workload.rate_per_s)
                      : fmt::format("{} arrivals at {:g} req/s", to_string(spec.arrivals.kind),
                                    spec.arrivals.rate_per_s);

  plan::ServingSearchInput in;
  in.model = s.model;
  in.numerics = numerics;
  in.expert_parallel = spec.expert_parallel;
  in.instances = plan.instances;
  in.catalog_entries = resolved.catalog_entries;
  in.plan = plan.spec;
  in.scheduler = spec.scheduler;
  in.workload = plan.workload;
  for (const models::Request& r : requests.list) {
    in.largest_cached = std::max(in.largest_cached, std::int64_t{r.input_len} + r.output_len - 1);
    in.largest_input = std::max<std::int64_t>(in.largest_input, r.input_len);
  }
  in.slo = spec.slo;
  in.threads = threads;
  plan.search = plan::search_serving(in);

  const std::size_t k = std::min<std::size_t>(plan.spec.top, plan.search.ranked.size());
  plan.rows.resize(k);
  const ResimContext ctx{s, spec, plan, resolved.catalog_entries, streams, numerics};
  parallel_for(k, threads,
               [&](std::size_t i) { plan.rows[i] = resimulate(ctx, plan.search.ranked[i]); });
  // Meeting rows first, by the objective on their simulated figures; the rest in estimate order.
  const auto objective = plan.spec.objective;
  auto cost = [](const ServingPlanRow& r) -> double {
    if (r.cost) return r.cost->usd_per_million_tokens;
    return kInf;
  };
  std::stable_sort(plan.rows.begin(), plan.rows.end(),
                   [&](const ServingPlanRow& a, const ServingPlanRow& b) {
                     if (a.meets != b.meets) return a.meets;
                     if (!a.meets) return false;
                     const int ga = a.gpus(plan.search.candidates[a.candidate]);
                     const int gb = b.gpus(plan.search.candidates[b.candidate]);
                     if (objective == models::ServingObjective::kGoodput) {
                       const double pa = a.goodput_per_s / ga, pb = b.goodput_per_s / gb;
                       if (pa != pb) return pa > pb;
                     }
                     if (cost(a) != cost(b)) return cost(a) < cost(b);
                     return ga < gb;
                   });
  if (!plan.rows.empty() && plan.rows.front().meets) {
    plan.best = 0;
  } else {
    plan.no_plan = plan.rows.empty() ? no_estimate_reason(plan) : no_simulated_reason(plan);
  }

  plan.assumptions.push_back(
      "ranking: a closed-form estimate (models/serving/fleet_estimate.hpp): a steady state of "
      "the mean request per replica, decode-only iterations stretched by the prompts' chunks, "
      "TPOT the decode iteration at the batch that carries the load plus the percentile of the "
      "prompts sharing a request's life (compound Poisson), TTFT the running iteration, the "
      "percentile prompt's prefill and the percentile "
      "waits of an M/M/c queue for a batch slot and an M/M/1 queue for the prefill budget");
  plan.assumptions.push_back(fmt::format(
      "a candidate meets the SLOs when the request-level simulation (as `cirrus serve`) of every "
      "seed from {} to {} does",
      spec.seed, spec.seed + static_cast<std::uint64_t>(streams.size()) - 1));
  if (plan.spec.disaggregation) {
    plan.assumptions.push_back(fmt::format(
        "disaggregated fleets: each pool sized for its own SLO by a closed-form estimate "
        "(models/serving/disagg_estimate.hpp): prefill replicas for TTFT (a prompt's own prefill "
        "plus its wait in an M/G/1 queue of packed prompt iterations), decode replicas for TPOT "
        "(the batch that carries the load, "
        "the KV transfer over the {} and its waits spread over the output tokens); TTFT ends at "
        "the prefill replica (NVIDIA Dynamo's convention); max_replicas bounds each pool",
        plan.spec.disaggregation->transfer == models::KvTransferLink::kNvlink ? "scale-up link"
                                                                              : "NICs"));
  }
  plan.assumptions.push_back(
      "cost: the instance's on-demand price for the fleet's share of its GPUs; estimates over "
      "the steady state, simulations over each run's makespan");
  return plan;
}

}  // namespace cirrus::app
