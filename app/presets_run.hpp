#pragma once
// `presets`'s job: what a scenario can name, read from the tables the loader reads (model,
// node and GPU presets in models/, the catalogs as a job reads them: app/job.hpp), with
// whether each catalog instance can be simulated and whether plan's "auto" searches it
// (plan/auto_instances.hpp: the planner's own rule).
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/hardware/hardware.hpp"
#include "models/workload/finetune.hpp"
#include "models/workload/transformer.hpp"
#include "pricing/catalog.hpp"

namespace cirrus::app {

// The sections `cirrus presets` lists, in the order it prints them.
std::vector<std::string> preset_sections();

struct PresetsRequest {
  std::string section;                // one of preset_sections(); empty: all of them
  std::vector<std::string> catalogs;  // --catalog FILE: read before the shipped catalogs
};

struct InstancePreset {
  const pricing::Instance* instance = nullptr;  // points into Presets::catalogs
  bool simulable = false;
  std::optional<std::string> auto_skip;  // why "auto" leaves it out; nullopt: searched
};

// Each list is filled when its section is asked for (`sections` says which), in table order.
struct Presets {
  std::vector<std::string> sections;
  std::vector<models::TransformerConfig> models;
  std::vector<models::NodeSpec> nodes;
  std::vector<models::GpuSpec> gpus;
  std::vector<pricing::Catalog> catalogs;
  std::vector<InstancePreset> instances;         // catalog order (the user's files first)
  std::vector<models::FinetunePreset> finetune;  // training.finetune's recipes (added)
};

// Throws UsageError for --catalog without the instances section (it would be ignored), and
// what the catalog readers throw for a bad file.
std::unique_ptr<const Presets> run_presets(const PresetsRequest& request);

}  // namespace cirrus::app
