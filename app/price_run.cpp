#include "app/price_run.hpp"

#include <fmt/format.h>
#include <algorithm>

#include "common/input_error.hpp"
#include "models/step/simulate.hpp"
#include "models/systems/checkpoint.hpp"

namespace cirrus::app {
namespace {

// What a reader of the price should know about how the scenario and the catalog entry meet.
std::vector<std::string> notes_of(const Job& job, const pricing::Instance& inst) {
  const scenarios::Scenario& s = job.scenario;
  const models::StepInput& input = job.pinned();
  std::vector<std::string> notes;
  if (!s.pricing.region.empty() && s.pricing.region != inst.region && inst.region != "any") {
    notes.push_back(fmt::format("the scenario asks for region {}; the catalog's prices are for {}",
                                s.pricing.region, inst.region));
  }
  if (s.training.tokens <= 0) {
    notes.push_back("training.tokens not given: priced per hour and per step only");
  }
  if (inst.gpus && *inst.gpus != input.cluster.node.gpus) {
    notes.push_back(fmt::format("the catalog gives {} GPUs per instance; the simulated node has {}",
                                *inst.gpus, input.cluster.node.gpus));
  }
  return notes;
}

// The cost model's input: the catalog's defaults, the simulated step, the command line's changes.
pricing::CostInput cost_input(const Job& job, const pricing::Instance& inst,
                              const models::StepResult& result, const PriceOptions& opt,
                              std::string& rate_source) {
  const models::StepInput& input = job.pinned();
  pricing::CostInput in =
      pricing::make_cost_input(inst, input.cluster.nodes, result.step_time_s, job.tokens_per_step(),
                               job.scenario.training.tokens);
  in.gpus_per_node = input.cluster.node.gpus;
  in.committed_reuse = job.scenario.pricing.committed_reuse;
  in.gpu_tdp_w = input.cluster.node.gpu.tdp_w;
  if (opt.gpu_utilization) {
    in.gpu_utilization = *opt.gpu_utilization;
    in.gpu_utilization_source = "--gpu-utilization";
  } else {
    // The GPU computes (compute, recomputation, optimizer) for this share of the simulated
    // step; communication, bubbles and offload waits are counted as drawing nothing.
    const auto& b = result.breakdown;
    in.gpu_utilization =
        result.step_time_s > 0
            ? std::clamp((b.compute + b.recompute + b.optimizer) / result.step_time_s, 0.0, 1.0)
            : 1.0;
    in.gpu_utilization_source =
        "the simulated compute share of the step; communication, bubbles and waits counted as "
        "drawing nothing: a lower bound, --gpu-utilization 1 gives the upper bound";
  }
  in.checkpoint_bytes = models::checkpoint_bytes(input.model, input.training);
  in.checkpoint_on_notice = opt.on_notice;
  in.egress_gb = opt.egress_gb;
  if (opt.restart_s) in.restart_s = *opt.restart_s;
  if (opt.storage_gbps) in.node_storage_bps = *opt.storage_gbps * 1e9;
  if (opt.storage_cap_gbps) in.storage_cap_bps = *opt.storage_cap_gbps * 1e9;
  const std::size_t spot = pricing::index_of(pricing::PricingModel::kSpot);
  if (opt.interruption_rate) {
    in.interruptions_per_instance_hour[spot] = *opt.interruption_rate;
    rate_source =
        fmt::format("{:.3g} per instance-hour (--interruption-rate)", *opt.interruption_rate);
  } else {
    rate_source = pricing::default_spot_interruption_rate(inst).source;
  }
  return in;
}

// Replays every pricing model that can be interrupted.
std::vector<std::pair<pricing::PricingModel, pricing::MonteCarloResult>> replay(
    const pricing::CostEstimate& e, const PriceOptions& opt) {
  std::vector<std::pair<pricing::PricingModel, pricing::MonteCarloResult>> out;
  if (opt.monte_carlo <= 0) return out;
  for (const pricing::PricingModel m : pricing::kPricingModels) {
    const auto& r = e.run(m);
    if (!r || !r->checkpoint.mtbi_s || !r->completes) continue;
    out.emplace_back(
        m, pricing::monte_carlo(pricing::monte_carlo_input(*r, e, opt.monte_carlo, opt.seed)));
  }
  return out;
}

}  // namespace

void check_priceable(const scenarios::Scenario& s) {
  if (s.instance.values.empty() && !s.instance.is_auto) {
    throw InputError(s.file, "cluster.instance",
                     "a catalog instance to price (\"provider:name\", see `cirrus catalog list`)",
                     "nothing");
  }
  if (s.instance.open()) {
    throw InputError(s.file, "cluster.instance",
                     "one instance (`price` prices a pinned configuration; `plan` searches)",
                     s.instance.is_auto ? "\"auto\"" : "a list");
  }
}

PriceRun run_price(const Job& job, const PriceOptions& options) {
  const scenarios::Scenario& s = job.scenario;
  const pricing::Instance& inst =
      pricing::lookup_instance(job.catalogs, s.instance.value(), s.file, "cluster.instance");
  const models::StepInput& input = job.pinned();
  PriceRun run;
  run.scenario_name = s.name;
  run.instance = &inst;
  run.chosen = s.pricing.model;
  run.nodes = input.cluster.nodes;
  run.gpus = input.cluster.gpus();
  run.step = models::simulate_step(input);
  if (!run.step.feasible) return run;
  run.notes = notes_of(job, inst);
  run.input = cost_input(job, inst, run.step, options, run.rate_source);
  run.estimate = pricing::estimate_cost(run.input);
  run.uncertainty = models::result_uncertainty(job.residuals.get(), input, run.step);
  if (run.uncertainty.known) {
    const models::Range step = models::band(run.step.step_time_s, run.uncertainty.sigma);
    if (step.low > 0) {
      pricing::CostInput at = run.input;
      at.step_time_s = step.low;
      run.at_low = pricing::estimate_cost(at);
      at.step_time_s = step.high;
      run.at_high = pricing::estimate_cost(at);
    }
  }
  run.monte_carlo = replay(run.estimate, options);
  return run;
}

}  // namespace cirrus::app
