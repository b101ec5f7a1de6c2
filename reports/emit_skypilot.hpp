#pragma once
// `--emit skypilot`: a SkyPilot task YAML that launches one configuration
// (reports/emit_config.hpp) with Megatron-LM (reports/emit_megatron.hpp) through torchrun on
// every node. Fields and the environment variables SkyPilot sets: skypilot-org/skypilot
// docs/source/reference/yaml-spec.rst and running-jobs/distributed-jobs.rst, as summarised in
// the project's reference notes (shared/reference/formats.md, section (b)).
//
// What it holds: header comments (the prediction, Megatron-LM notes), `name` (the scenario's,
// as [a-z0-9-]), `resources` (`infra: <provider>[/<region>]` and `instance_type` from the
// catalog instance, `accelerators: <SkyPilot name>:<GPUs per node>` when the GPU has a known
// SkyPilot name, `use_spot` from the pricing model), `num_nodes`, `envs` (the strategy) and
// `run`. The same configuration always gives the same bytes.
#include <optional>
#include <string>
#include <string_view>

#include "reports/emit_config.hpp"

namespace cirrus::reports {

// The scenario name as a SkyPilot task name: lower case, every run of other characters one
// '-', no '-' at either end, at most 63 characters; "cirrus" when nothing is left.
std::string skypilot_name(std::string_view scenario_name);

// SkyPilot's accelerator name for a GPU on an instance ("H100", "A100-80GB"), or nullopt when
// the GPU has none in the table.
std::optional<std::string> skypilot_accelerator(const std::string& gpu_id,
                                                const pricing::Instance* instance);

std::string render_skypilot(const EmitConfig& c);

}  // namespace cirrus::reports
