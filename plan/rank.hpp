#pragma once
// Ranking the priced candidates and choosing among them: which meet the scenario's limits,
// their order by the objective (then by the other measure, then in enumeration order, so that
// the order is total and the same for every thread count), the best, why there is none, the
// Pareto frontier of run time and cost, and the top K.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "plan/planner.hpp"

namespace cirrus::plan {

// Sets every candidate's meets_limits: within max_days and max_usd, and priced when the
// objective is cost.
void mark_limits(std::vector<Candidate>& candidates, const scenarios::Objective& objective);

// Sorts `order` (indices into `candidates`) best first by the objective.
void rank_candidates(std::vector<std::size_t>& order, const std::vector<Candidate>& candidates,
                     const scenarios::Objective& objective);

// From the ranked `order`: out.best (or out.no_best_reason), out.pareto and the top `top` in
// out.top, over out.candidates.
// `provider_of` names the cloud of an instance index (for out.best_per_cloud).
void choose(const std::vector<std::size_t>& order, const scenarios::Objective& objective, int top,
            const std::function<std::string(std::uint32_t)>& provider_of, PlanResult& out);

}  // namespace cirrus::plan
