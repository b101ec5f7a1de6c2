#pragma once
// How a step's communication becomes tasks. The step builder owns the schedule: which
// collective or pipeline send runs when, on which stream, after what. A back-end owns what
// each one costs: the flows it adds and the resources they load. build_step picks one for the
// whole step:
//   flow_comm.hpp      the flow model: collectives lowered onto the cluster's topology, sharing
//                      its links max-min (what `simulate` uses);
//   analytic_comm.hpp  the analytic model: one flow per collective at the NCCL tuner's rate over
//                      synthetic links per stage, blind to the fabric.
// One virtual call per collective added to the graph; the engine never sees the back-end.
#include <cstdint>

#include "models/network/collectives.hpp"
#include "models/step/rank_layout.hpp"
#include "models/step/step_graph.hpp"
#include "models/step/step_input.hpp"
#include "sim/task_graph.hpp"

namespace cirrus::models {

class CommBackend {
 public:
  virtual ~CommBackend() = default;
  CommBackend(const CommBackend&) = delete;
  CommBackend& operator=(const CommBackend&) = delete;

  // Stage `stage`'s resources: called for every stage in order, before its streams (resource
  // ids follow the order of creation, and the offload tasks add theirs after).
  virtual void add_stage(int stage) = 0;
  // A collective of `group` on stage `stage`: it starts after `after` (sim::kNoTask: nothing)
  // and `stream`'s previous task; returns the task on `stream` that ends with it. Every task it
  // adds carries `tag` and label `stage`.
  virtual sim::TaskId collective(int stage, sim::StreamId stream, CollectiveKind kind, double bytes,
                                 RankGroup group, std::uint16_t tag, sim::TaskId after) = 0;
  // Stage `from` sends its activations (or their gradients) to stage `to` on `stream`, after
  // `after`: tag kTagPpComm, label `from`.
  virtual sim::TaskId send(int from, int to, sim::StreamId stream, sim::TaskId after) = 0;
  // After the step's last task: names the back-end's resources and merges identical ones.
  virtual void finish() = 0;

 protected:
  CommBackend(const StepInput& in, const RankLayout& layout, StepGraph& out)
      : in_(in), layout_(layout), out_(out) {}
  // Every collective and send counts; a step is calibrated only when all took a profile's
  // measured bus bandwidth (StepGraph::collectives_measured).
  void count(bool measured) {
    ++out_.collectives;
    if (measured) ++out_.collectives_measured;
  }

  const StepInput& in_;
  const RankLayout& layout_;
  StepGraph& out_;
};

}  // namespace cirrus::models
