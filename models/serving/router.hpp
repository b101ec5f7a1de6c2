#pragma once
// Which replica an arriving request goes to:
//   - round robin deals requests in turn;
//   - least outstanding requests sends each to the replica with the fewest requests waiting or
//     running (the lowest index among equals, so that a rerun routes the same way);
//   - prefix affinity sends a request to the replica whose prefix cache holds the longest run of
//     its leading prefix blocks (probed id by id: ReplicaScheduler::cached_prefix_blocks; the
//     fewest outstanding, then the lowest index, among equals),
//     like SGLang's cache-aware router, which matches against a tree of what it routed instead
//     of the caches themselves; it falls back to least outstanding when no replica holds any of
//     the prefix, when the request carries none, or when the chosen replica has more than
//     kAffinityLoadBound requests outstanding above the least loaded one.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "models/serving/scheduler.hpp"
#include "models/serving/serving_spec.hpp"

namespace cirrus::models {

// SGLang's router's balance_abs_threshold default, 32 (sgl-router; recalled, unverified): an
// affinity that costs more than this much imbalance gives way to the load.
inline constexpr std::size_t kAffinityLoadBound = 32;

class Router {
 public:
  explicit Router(RouterKind kind) : kind_(kind) {}
  std::size_t pick(const std::vector<ReplicaScheduler>& replicas, std::uint32_t request);
  // The same choice among the replicas listed in `active` (indices, ascending, non-empty): a
  // fleet whose replicas join and leave routes only to those taking requests.
  std::size_t pick_among(const std::vector<ReplicaScheduler>& replicas,
                         const std::vector<std::uint32_t>& active);

 private:
  RouterKind kind_;
  std::size_t next_ = 0;
};

}  // namespace cirrus::models
