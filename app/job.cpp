#include "app/job.hpp"

#include <utility>

#include "app/paths.hpp"
#include "app/residuals.hpp"
#include "scenarios/scenario_prices.hpp"
#include "scenarios/step_input.hpp"

namespace cirrus::app {
namespace {

std::unique_ptr<Job> base_job(scenarios::Scenario scenario, JobOptions options) {
  auto job = std::make_unique<Job>();
  job->scenario = std::move(scenario);
  job->options = std::move(options);
  job->catalogs = pricing::load_catalogs(source_path("pricing/catalogs"), job->options.catalogs);
  const scenarios::Scenario& s = job->scenario;
  scenarios::apply_scenario_prices(s, job->catalogs);
  if (!s.instance.values.empty() && !s.instance.open()) {
    job->instance = pricing::find_instance(job->catalogs, s.instance.value());
  }
  job->residuals = shipped_residuals();
  return job;
}

}  // namespace

double Job::tokens_per_step() const {
  return static_cast<double>(input->training.global_batch) *
         static_cast<double>(input->model.seq_len);
}

std::unique_ptr<const Job> resolve_pinned(scenarios::Scenario scenario, JobOptions options) {
  models::StepInput input = scenarios::pinned_input(scenario);
  input.profile = scenario_profile(scenario, input.cluster.node, options.profiles);
  auto job = base_job(std::move(scenario), std::move(options));
  job->input = std::move(input);
  return job;
}

std::unique_ptr<const Job> resolve_search(scenarios::Scenario scenario, JobOptions options) {
  return base_job(std::move(scenario), std::move(options));
}

std::unique_ptr<const Job> resolve(const std::string& scenario_file, JobOptions options) {
  scenarios::Scenario s = scenarios::load_scenario(scenario_file);
  if (!s.open_choices().empty()) return resolve_search(std::move(s), std::move(options));
  return resolve_pinned(std::move(s), std::move(options));
}

}  // namespace cirrus::app
