#include "app/pinned_run.hpp"

#include "models/systems/checkpoint.hpp"

namespace cirrus::app {

PinnedRun run_pinned(const Job& job) {
  const models::StepInput& input = job.pinned();
  PinnedRun out;
  out.sim = models::simulate_step_detailed(input);
  const models::StepResult& r = out.sim.result;
  out.uncertainty = models::result_uncertainty(job.residuals.get(), input, r);
  if (r.feasible && job.instance != nullptr) {
    pricing::CostInput in =
        pricing::make_cost_input(*job.instance, input.cluster.nodes, r.step_time_s,
                                 job.tokens_per_step(), job.scenario.training.tokens);
    in.checkpoint_bytes = models::checkpoint_bytes(input.model, input.training);
    in.committed_reuse = job.scenario.pricing.committed_reuse;
    const pricing::CostEstimate estimate = pricing::estimate_cost(in);
    out.cost = pricing::contract_cost(estimate, job.scenario.pricing.model, *job.instance);
    if (const auto& why = estimate.why_unavailable(job.scenario.pricing.model)) {
      out.cost_unavailable = why->detail;
    }
  }
  return out;
}

}  // namespace cirrus::app
