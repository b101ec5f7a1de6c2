#pragma once
// Which replica an arriving request goes to. Round robin deals requests in turn; least
// outstanding requests sends each to the replica with the fewest requests waiting or running
// (the lowest index among equals, so that a rerun routes the same way).
#include <cstddef>
#include <vector>

#include "models/serving/scheduler.hpp"
#include "models/serving/serving_spec.hpp"

namespace cirrus::models {

class Router {
 public:
  explicit Router(RouterKind kind) : kind_(kind) {}
  std::size_t pick(const std::vector<ReplicaScheduler>& replicas);

 private:
  RouterKind kind_;
  std::size_t next_ = 0;
};

}  // namespace cirrus::models
