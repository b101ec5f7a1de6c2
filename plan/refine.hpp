#pragma once
// The refine step: the best few candidates of the analytic ranking re-simulated with the engine
// (the flow network model over their cluster's topology), whose step time and economics then
// replace the analytic ones.
#include <cstddef>
#include <vector>

#include "plan/planner.hpp"

namespace cirrus::plan {

// The first `count` of the ranked `order` that meet the limits; when none does, the first
// `count` overall.
std::vector<std::size_t> refine_choice(const std::vector<std::size_t>& order,
                                       const std::vector<Candidate>& candidates, int count);

// Re-simulates out.candidates[i] for every i of `which` on `threads` threads, prices them with
// `economics` over out.steps steps and marks them refined; fills out.refined_results and
// out.refined; `progress` (may be empty) hears ("refining", fraction done) as each finishes.
// The exception of the lowest index (a topology error, say) is rethrown once the
// threads are done, whatever their number.
void refine_candidates(const scenarios::Scenario& s, const SearchSpace& space,
                       const std::vector<std::size_t>& which, const EconomicsFn& economics,
                       int threads, const ProgressFn& progress, PlanResult& out);

}  // namespace cirrus::plan
