#pragma once
// Which replica an arriving request goes to. Round robin deals requests in turn; least
// outstanding requests sends each to the replica with the fewest requests waiting or running
// (the lowest index among equals, so that a rerun routes the same way).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "models/serving/scheduler.hpp"
#include "models/serving/serving_spec.hpp"

namespace cirrus::models {

class Router {
 public:
  explicit Router(RouterKind kind) : kind_(kind) {}
  std::size_t pick(const std::vector<ReplicaScheduler>& replicas);
  // The same choice among the replicas listed in `active` (indices, ascending, non-empty): a
  // fleet whose replicas join and leave routes only to those taking requests.
  std::size_t pick_among(const std::vector<ReplicaScheduler>& replicas,
                         const std::vector<std::uint32_t>& active);

 private:
  RouterKind kind_;
  std::size_t next_ = 0;
};

}  // namespace cirrus::models
