#include "reports/pinned_render.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "reports/report_format.hpp"
#include "reports/result_render.hpp"
#include "reports/uncertainty_render.hpp"
#include "scenarios/step_input.hpp"

namespace cirrus::reports {
namespace {

nlohmann::json cost_json(const pricing::ContractCost& cost) {
  nlohmann::json j = {
      {"pricing", cost.pricing},
      {"usd_per_hour", round_sig(cost.usd_per_hour)},
      {"usd_per_step", round_sig(cost.usd_per_step)},
      {"usd_total", cost.has_run ? nlohmann::json(round_sig(cost.usd_total)) : nullptr},
      {"usd_per_million_tokens", round_sig(cost.usd_per_million_tokens)},
      {"catalog", cost.catalog}};
  // Capacity products (added): hours billed per instance, instance-hours paid and unused.
  if (cost.billed_hours) j["billed_hours"] = round_sig(*cost.billed_hours);
  if (cost.unused_hours) j["unused_hours"] = round_sig(*cost.unused_hours);
  if (!cost.billing.empty()) j["billing"] = cost.billing;
  return j;
}

// A capacity product's billing, in words, after the cost line.
std::string billing_text(const pricing::ContractCost& cost) {
  return cost.billing.empty() ? std::string() : fmt::format("  billed: {}\n", cost.billing);
}

std::string cost_text(const pricing::ContractCost& cost, const models::Uncertainty& u) {
  if (!cost.has_run) {
    return fmt::format(
        "\n  cost ({}): {} per hour for the cluster, {} per step, the run's total not "
        "given (no training.tokens) ({} per million tokens; catalog {}); see `cirrus "
        "price` for every pricing model\n",
        cost.pricing, format::usd(cost.usd_per_hour), format::usd(cost.usd_per_step),
        format::usd(cost.usd_per_million_tokens), cost.catalog);
  }
  return fmt::format(
      "\n  cost ({}): {} per hour for the cluster, {} per step, {}{} for the "
      "run ({} per million tokens; catalog {}); see `cirrus price` for every pricing "
      "model\n",
      cost.pricing, format::usd(cost.usd_per_hour), format::usd(cost.usd_per_step),
      format::usd(cost.usd_total),
      u.known ? fmt::format(" ({} to {} at 1 sigma)",
                            format::usd(models::band(cost.usd_total, u.sigma).low),
                            format::usd(models::band(cost.usd_total, u.sigma).high))
              : "",
      format::usd(cost.usd_per_million_tokens), cost.catalog);
}

ResultContext context_of(const app::Job& job, const app::PinnedRun& run) {
  ResultContext ctx;
  ctx.scenario = job.scenario.name;
  ctx.instance = scenarios::hardware_label(job.scenario);
  ctx.input = job.pinned();
  ctx.uncertainty = run.uncertainty;
  return ctx;
}

}  // namespace

nlohmann::json pinned_json(const app::Job& job, const app::PinnedRun& run) {
  const models::StepResult& r = run.sim.result;
  nlohmann::json j = result_json(context_of(job, run), r);
  if (run.cost) j["cost"] = cost_json(*run.cost);
  if (!run.cost_unavailable.empty()) j["cost_unavailable"] = run.cost_unavailable;
  add_uncertainty_json(
      j, run.uncertainty,
      {r.step_time_s, r.run ? std::optional<double>(r.run->days) : std::nullopt,
       run.cost && run.cost->has_run ? std::optional<double>(run.cost->usd_total) : std::nullopt});
  return j;
}

std::string render_pinned(const app::Job& job, const app::PinnedRun& run,
                          const std::string& format) {
  if (format == "json") return pinned_json(job, run).dump(2) + "\n";
  const ResultContext ctx = context_of(job, run);
  const models::StepResult& r = run.sim.result;
  if (format == "csv") {
    ResultContext priced = ctx;
    priced.cost = run.cost;
    return render_csv(priced, r);
  }
  std::string text = render_table(ctx, r);
  if (run.cost) text += cost_text(*run.cost, run.uncertainty) + billing_text(*run.cost);
  if (!run.cost_unavailable.empty()) {
    text += fmt::format("\n  cost ({}): {}\n", pricing::to_string(job.scenario.pricing.model),
                        run.cost_unavailable);
  }
  return text;
}

}  // namespace cirrus::reports
