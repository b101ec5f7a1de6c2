#include "models/serving/router.hpp"

namespace cirrus::models {

std::size_t Router::pick(const std::vector<ReplicaScheduler>& replicas) {
  if (kind_ == RouterKind::kRoundRobin) {
    const std::size_t r = next_;
    next_ = (next_ + 1) % replicas.size();
    return r;
  }
  std::size_t best = 0;
  for (std::size_t i = 1; i < replicas.size(); ++i) {
    if (replicas[i].outstanding() < replicas[best].outstanding()) best = i;
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
