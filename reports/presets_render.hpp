#pragma once
// `presets`'s outputs (app/presets_run.hpp). Every figure is read from the preset and catalog
// tables; none is typed here.
//
// table: one text table per section asked for (models, nodes, gpus, instances), each under its
// name; notes below a table (a model's approximation, a node's source) keyed by id.
//
// json: one object with one array per section asked for, in section order; keys in a fixed
// order, numbers as numbers (rounded to 6 significant digits), null where a figure is unknown
// or the hardware lacks it. Key names follow the scenario's where one exists
// (`scale_up_gbyte_per_s`, `nic_gbit_per_s`, `host_memory_gib`).
#include <string>

#include "app/presets_run.hpp"

namespace cirrus::reports {

// `format`: "table" or "json".
std::string render_presets(const app::Presets& presets, const std::string& format);

std::string render_presets_json(const app::Presets& presets);

}  // namespace cirrus::reports
