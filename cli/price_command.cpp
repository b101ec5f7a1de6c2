// `cirrus price SCENARIO`: the cost of the whole run under every pricing model
// (app/price_run.hpp), printed by reports/price_render.hpp.
#include <fmt/format.h>

#include "app/price_run.hpp"
#include "cli/commands.hpp"
#include "reports/price_render.hpp"
#include "scenarios/scenario.hpp"

namespace cirrus::cli {

Action add_price(CLI::App& app) {
  struct Options {
    std::string scenario;
    std::string format = "table";
    std::string out;
    app::JobOptions job;
    app::PriceOptions price;
  };
  auto opt = std::make_shared<Options>();
  auto* sub = app.add_subcommand("price", "cost of one configuration under each pricing model");
  sub->add_option("scenario", opt->scenario, "scenario JSON file (cluster.instance pinned)")
      ->required();
  sub->add_option("--format", opt->format, "table or json")
      ->check(CLI::IsMember({"table", "json"}));
  sub->add_option("-o,--out", opt->out, "write to this file (atomically) instead of stdout");
  sub->add_option("--catalog", opt->job.catalogs, "also read these catalog files (imported ones)");
  sub->add_option("--interruption-rate", opt->price.interruption_rate,
                  "spot interruptions per instance-hour (default: from the AWS advisor buckets)")
      ->check(number_in("--interruption-rate", 0, 10));
  sub->add_option("--restart-s", opt->price.restart_s,
                  "seconds to relaunch after an interruption, before the reload (default 600)")
      ->check(number_in("--restart-s", 0, 1e7, " s"));
  sub->add_option("--storage-gbps", opt->price.storage_gbps,
                  "checkpoint write bandwidth per node, GB/s (default 1.2)")
      ->check(number_in("--storage-gbps", 1e-3, 1e5, " GB/s"));
  sub->add_option("--storage-cap-gbps", opt->price.storage_cap_gbps,
                  "aggregate limit of the checkpoint storage, GB/s (default none)")
      ->check(number_in("--storage-cap-gbps", 1e-3, 1e7, " GB/s"));
  sub->add_flag("--checkpoint-on-notice", opt->price.on_notice,
                "write the checkpoint within the interruption notice when it fits");
  sub->add_option("--egress-gb", opt->price.egress_gb, "data leaving the cloud during the run, GB")
      ->check(number_in("--egress-gb", 0, 1e12, " GB"));
  sub->add_option("--gpu-utilization", opt->price.gpu_utilization,
                  "average fraction of TDP drawn, for energy (default: the simulated compute "
                  "share of the step, a lower bound; 1 gives the upper bound)")
      ->check(number_in("--gpu-utilization", 0, 1));
  sub->add_option("--monte-carlo", opt->price.monte_carlo, "replay interruptions N times")
      ->check(count_in("--monte-carlo", 0, 1000000));
  sub->add_option("--seed", opt->price.seed, "seed of the Monte-Carlo replay (default 1)")
      ->check(count_in("--seed", 0, 9223372036854775807LL));
  add_public_profile_flag(*sub, opt->job.profiles);

  return [opt]() {
    scenarios::Scenario s = scenarios::load_scenario(opt->scenario);
    app::check_priceable(s);
    const auto job = app::resolve_pinned(std::move(s), opt->job);
    const app::PriceRun run = app::run_price(*job, opt->price);
    if (!run.step.feasible) {
      fmt::print(stderr, "cirrus: {}: the configuration is infeasible: {}\n", job->scenario.file,
                 run.step.infeasible_reason);
      return kExitInfeasible;
    }
    emit(opt->format == "json" ? reports::render_price_json(run) : reports::render_price_table(run),
         opt->out);
    return kExitOk;
  };
}

}  // namespace cirrus::cli
