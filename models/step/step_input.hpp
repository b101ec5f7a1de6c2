#pragma once
// What one training step is: the model, how it trains, the parallel strategy, the cluster, and
// the calibration profile of the cluster's GPU. Everything that prices a step (the step
// builder, the analytic step, memory and validity checks, the systems on top) takes one.
#include <memory>

#include "models/compute/profile.hpp"
#include "models/network/cluster.hpp"
#include "models/workload/strategy.hpp"
#include "models/workload/transformer.hpp"

namespace cirrus::models {

struct StepInput {
  TransformerConfig model;
  Training training;
  Strategy strategy;
  ClusterSpec cluster;
  // A calibration profile of the cluster's GPU (null: datasheet figures). Shared, immutable.
  std::shared_ptr<const ProfileLookup> profile;
};

}  // namespace cirrus::models
