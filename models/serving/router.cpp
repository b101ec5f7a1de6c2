#include "models/serving/router.hpp"

namespace cirrus::models {
namespace {

std::size_t least_outstanding(const std::vector<ReplicaScheduler>& replicas) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < replicas.size(); ++i) {
    if (replicas[i].outstanding() < replicas[best].outstanding()) best = i;
  }
  return best;
}

}  // namespace

std::size_t Router::pick(const std::vector<ReplicaScheduler>& replicas, std::uint32_t request) {
  if (kind_ == RouterKind::kRoundRobin) {
    const std::size_t r = next_;
    next_ = (next_ + 1) % replicas.size();
    return r;
  }
  const std::size_t least = least_outstanding(replicas);
  if (kind_ == RouterKind::kLeastOutstanding) return least;
  std::size_t best = least;
  std::int64_t longest = 0;
  for (std::size_t i = 0; i < replicas.size(); ++i) {
    const std::int64_t cached = replicas[i].cached_prefix_blocks(request);
    if (cached > longest || (cached == longest && cached > 0 &&
                             replicas[i].outstanding() < replicas[best].outstanding())) {
      longest = cached;
      best = i;
    }
  }
  if (longest == 0) return least;
  if (replicas[best].outstanding() > replicas[least].outstanding() + kAffinityLoadBound) {
    return least;
  }
  return best;
}

std::size_t Router::pick_among(const std::vector<ReplicaScheduler>& replicas,
                               const std::vector<std::uint32_t>& active) {
  if (kind_ == RouterKind::kRoundRobin) {
    next_ = next_ % active.size();
    const std::size_t r = active[next_];
    next_ = (next_ + 1) % active.size();
    return r;
  }
  std::size_t best = active.front();
  for (const std::uint32_t i : active) {
    if (replicas[i].outstanding() < replicas[best].outstanding()) best = i;
  }
  return best;
}

}  // namespace cirrus::models
