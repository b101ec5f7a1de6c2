// run_plan in four steps: the search (search.hpp), the ranking (rank.hpp), the refine step
// (refine.hpp), then the ranking again and the choice of the best, the frontier and the top K.
#include "plan/planner.hpp"

#include <cmath>
#include <numeric>

#include "common/units.hpp"
#include "plan/rank.hpp"
#include "plan/refine.hpp"
#include "plan/search.hpp"

namespace cirrus::plan {
namespace {

RunEconomics default_economics(const InstanceOption& inst, int nodes, double step_s, double steps) {
  RunEconomics e;
  e.run_seconds = step_s * steps;
  if (inst.usd_per_hour) {
    e.usd_per_hour = *inst.usd_per_hour * nodes;
    e.usd_total = *e.usd_per_hour * e.run_seconds / kSecondsPerHour;
  }
  return e;
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

  search_candidates(s, space, options, economics, out);
  std::vector<std::size_t> order(out.candidates.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  mark_limits(out.candidates, s.objective);
  rank_candidates(order, out.candidates, s.objective);

  const std::vector<std::size_t> chosen = refine_choice(order, out.candidates, options.refine);
  refine_candidates(s, space, chosen, economics, options.threads, options.progress, out);
  // The refined times move candidates: rank again (from the analytic order) before choosing.
  mark_limits(out.candidates, s.objective);
  rank_candidates(order, out.candidates, s.objective);
  choose(
      order, s.objective, options.top,
      [&space](std::uint32_t i) {
        const std::string& id = space.instances[i].id;
        return id.substr(0, id.find(':'));  // "aws:p5.48xlarge" -> "aws"; a bare node: itself
      },
      out);
  return out;
}

}  // namespace cirrus::plan
