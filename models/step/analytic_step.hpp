#pragma once
// A closed-form estimate of one training step, for sweeping many configurations: the same
// priced kernels and collectives the step builder schedules (step_costs), composed with the
// pipeline formula instead of simulated. It ignores contention between concurrent transfers,
// so the planner re-simulates its best candidates with the engine.
#include "models/step/step_input.hpp"
#include "models/step/step_result.hpp"

namespace cirrus::models {

StepResult analytic_step(const StepInput& in);

// Shared with the simulator: fills memory, checks precision support and capacity. Returns
// false (with the reason set) when the configuration cannot run.
bool check_feasible(const StepInput& in, StepResult& r);

// Throughput, model FLOP/s, MFU and run totals from r.step_time_s.
void fill_rates(const StepInput& in, double peak_flops, StepResult& r);

}  // namespace cirrus::models
