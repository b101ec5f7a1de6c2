#pragma once
// Elastic training (SE-MoE section 3.3; the part 4): a run whose node count changes at
// given times. Each phase keeps tp, pp, cp (and ep) and re-lowers the strategy to the new node
// count by changing dp; the global batch stays (so the micro-batches per step change). Every
// change costs a re-shard: the checkpoint (weights + optimizer states) is written by the old
// nodes and read back by the new ones at the storage bandwidth per node, plus a restart. The
// phase's step time comes from the simulator; tokens, hours and cost follow:
//   phase seconds    = (next change or end) - start
//   training seconds = phase seconds - re-shard seconds (0 for the first phase)
//   tokens           = training seconds / step time x tokens per step
//   cost             = nodes x USD per node-hour x phase hours
// The last phase runs until the run's tokens are done.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "models/step/step_input.hpp"
#include "models/step/step_result.hpp"

namespace cirrus::models {

struct ElasticChange {
  double at_hours = 0;
  int nodes = 0;        // nodes training; 0: the run pauses (no replica fits on the nodes held)
  int held = 0;         // nodes paid for (0: the same as nodes); more when spares cannot be used
  bool reshard = true;  // whether the change re-shards (false: only the nodes paid for change)
};

// `elastic.spot`: the timeline generated from interruptions (models/systems/elastic_spot.hpp).
struct SpotInterruptions {
  double per_node_hour = 0;      // >= 0; 0: the fixed-node run (< 0: not given, see the CLI)
  double replacement_hours = 0;  // >= 0
  std::uint64_t seed = 1;
};

struct ElasticSpec {                      // the scenario's `elastic` block
  std::vector<ElasticChange> schedule;    // at_hours strictly increasing, the first at 0
  std::optional<SpotInterruptions> spot;  // instead of a schedule
  double storage_bw_per_node = 1.2e9;     // bytes/s for the checkpoint write and read
  double restart_s = 600;                 // relaunch before the reload
};

struct ElasticPhase {
  double start_h = 0, end_h = 0;
  int nodes = 0, dp = 0;
  int held = 0;         // nodes paid for
  bool paused = false;  // no replica fits: the run waits for replacements
  bool feasible = true;
  std::string reason;
  double step_time_s = 0;
  double reshard_s = 0;  // at the start of this phase
  double tokens = 0;
  double usd = 0;
};

struct ElasticRun {
  std::vector<ElasticPhase> phases;
  double tokens = 0, hours = 0, usd = 0, reshard_hours = 0;
  bool completes = true;  // false when a phase cannot run or no phase makes progress
  std::string reason;
};

// Weights + optimizer states a checkpoint holds (models/systems/checkpoint.hpp).
double checkpoint_bytes(const StepInput& in);
// Seconds to re-shard between node counts: write by `from` nodes, read by `to` nodes, restart.
// A pause (to 0) only writes; a resume (from 0) restarts and reads.
double reshard_seconds(const StepInput& in, const ElasticSpec& e, int from_nodes, int to_nodes);
// The strategy re-lowered to `nodes` nodes: same tp, pp, cp, ep; dp = GPUs / (tp pp cp).
// Returns false when the GPUs do not divide or dp breaks the global batch or ep.
bool relower(const StepInput& base, int nodes, StepInput& out, std::string& why);

using StepFn = std::function<StepResult(const StepInput&)>;
// Runs the schedule for base.training.tokens tokens. `usd_per_node_hour` may be 0 (no price).
ElasticRun elastic_run(const StepInput& base, const ElasticSpec& e, double usd_per_node_hour,
                       const StepFn& step);

}  // namespace cirrus::models
