#pragma once
// Elastic training on spot interruptions (the part 4, "or on spot interruptions"): the
// node-count timeline of models/systems/elastic_run.hpp generated from interruptions instead of
// given. Each of the run's N nodes is reclaimed at `per_node_hour` interruptions per node-hour
// (exponential up-times, the memoryless model of pricing/cost_model.hpp) and its replacement
// joins `replacement_hours` later. Between changes the run trains on the largest node count
// (<= the nodes held) that re-lowers (same tp, pp, cp, ep; models/systems/elastic_run.hpp relower);
// when none does, it pauses and pays for the nodes it holds. An interruption always re-shards
// (a working node is assumed lost); a replacement re-shards when it changes the nodes training.
//
// Deterministic for a seed: node i draws its up-times from its own cirrus::Rng stream, as
// unit exponentials scaled by 1 / rate, so a higher rate (same seed) moves every interruption
// earlier and never adds node-hours.
#include <vector>

#include "models/systems/elastic_run.hpp"

namespace cirrus::models {

// The timeline for base.cluster.nodes nodes over [0, horizon_h): the first change at 0.
std::vector<ElasticChange> spot_schedule(const StepInput& base, const SpotInterruptions& spot,
                                         double horizon_h);

// The run on that timeline, with the horizon doubled until the run ends inside it (or gives
// up at kSpotMaxHours). Step results are cached by node count.
ElasticRun spot_elastic_run(const StepInput& base, const ElasticSpec& e,
                            const SpotInterruptions& spot, double usd_per_node_hour,
                            const StepFn& step);

// A run that has not ended after this many hours (114 years) is reported as not completing.
inline constexpr double kSpotMaxHours = 1e6;

}  // namespace cirrus::models
