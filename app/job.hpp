#pragma once
// A job: one scenario resolved once and completely, so that no command assembles its own
// inputs. Resolving reads the scenario, the catalogs (the user's files first, then the shipped
// ones), looks the pinned instance up, builds the pinned step input and gives it its calibration
// profile (app/profiles.hpp), and takes the residuals behind every result's error bars
// (app/residuals.hpp). Each command's run_* (app/*_run.hpp) takes a job and returns a value.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/profiles.hpp"
#include "models/step/step_input.hpp"
#include "models/step/uncertainty.hpp"
#include "pricing/catalog.hpp"
#include "scenarios/scenario.hpp"

namespace cirrus::app {

// What the command line may change about how a scenario resolves.
struct JobOptions {
  ProfileDefaults profiles;           // --no-public-profile
  std::vector<std::string> catalogs;  // --catalog FILE: read before the shipped catalogs
};

struct Job {
  scenarios::Scenario scenario;
  JobOptions options;
  std::vector<pricing::Catalog> catalogs;
  // The scenario's one catalog instance (cluster.instance pinned and in the catalogs); null for
  // a bare node preset, an open choice or an instance the catalogs do not have.
  const pricing::Instance* instance = nullptr;
  // The pinned configuration with its profile; empty for a job resolved for a search.
  std::optional<models::StepInput> input;
  std::shared_ptr<const models::ResidualStats> residuals;  // null: error unknown

  const models::StepInput& pinned() const { return *input; }
  // The pinned input's tokens per step (global batch x sequence length).
  double tokens_per_step() const;
};

// For a command that runs the scenario's one configuration: every open choice is an InputError
// (scenarios::pinned_input), as is a profile of another GPU than the node's.
// Owned through a pointer: `instance` points into `catalogs`.
std::unique_ptr<const Job> resolve_pinned(scenarios::Scenario scenario, JobOptions options);

// For a search (plan, report of an open scenario): catalogs and residuals, no pinned input; the
// planner resolves each instance option (app/plan_run.hpp).
std::unique_ptr<const Job> resolve_search(scenarios::Scenario scenario, JobOptions options);

// resolve_pinned of a scenario file, or resolve_search when the scenario has open choices.
std::unique_ptr<const Job> resolve(const std::string& scenario_file, JobOptions options);

}  // namespace cirrus::app
