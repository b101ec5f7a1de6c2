#pragma once
// The search: every combination of a search space, pruned with its reason (an invalid
// configuration, out of memory, ...) or priced with the analytic step model. The enumeration
// is cut into blocks, one per (instance, nodes, tp), that run on the threads and are merged in
// enumeration order, so the result is the same for every thread count.
#include "plan/planner.hpp"

namespace cirrus::plan {

// Fills out.evaluated, infeasible, pruned and candidates (in enumeration order) and, with
// options.keep_pruned, pruned_candidates and pruned_reasons. Each candidate is priced by
// `economics` over out.steps steps; options.progress hears of every finished block. An
// exception thrown while a block is evaluated (by `economics`, say) is rethrown here once the
// threads are done: the one of the earliest block, whatever the thread count.
void search_candidates(const scenarios::Scenario& s, const SearchSpace& space,
                       const PlanOptions& options, const EconomicsFn& economics, PlanResult& out);

}  // namespace cirrus::plan
