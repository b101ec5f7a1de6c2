#pragma once
// Turns a pinned scenario into what the simulator takes.
#include "models/step/step_input.hpp"
#include "scenarios/scenario.hpp"

namespace cirrus::scenarios {

// Throws InputError for an open choice, a divisibility violation (check_pinned), or a model
// the simulator cannot run yet (mixture-of-experts).
models::StepInput pinned_input(const Scenario& s);

// The name a result shows for the hardware: the instance id, else the node preset.
std::string hardware_label(const Scenario& s);

}  // namespace cirrus::scenarios
