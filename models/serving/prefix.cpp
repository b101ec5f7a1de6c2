#include "models/serving/prefix.hpp"

#include <algorithm>
#include <cmath>

#include "models/serving/arrivals.hpp"

namespace cirrus::models {

std::int64_t PrefixIds::shareable_blocks(std::uint32_t request, std::int64_t input,
                                         int block_size) const {
  const auto n = static_cast<double>(ids(request));
  if (n == 0) return 0;
  const auto covered = static_cast<std::int64_t>(std::floor(n * tokens_per_id_));
  return std::min(input, covered) / block_size;
}

std::uint64_t PrefixIds::block_hash(std::uint32_t request, std::int64_t block,
                                    int block_size) const {
  const double last = static_cast<double>((block + 1) * block_size - 1);
  const auto k = static_cast<std::uint64_t>(std::floor(last / tokens_per_id_));
  return mix(chain_[offset_[request] + k] + static_cast<std::uint64_t>(block));
}

PrefixIds synthetic_prefixes(std::vector<Request>& requests, const PrefixSpec& spec,
                             std::uint64_t seed) {
  PrefixIds out(static_cast<double>(spec.tokens));
  if (spec.groups <= 0 || spec.tokens <= 0) return out;
  Rng groups = stream(seed, 4);
  const auto g = static_cast<double>(spec.groups);
  for (Request& r : requests) {
    const auto group = std::min(spec.groups - 1, static_cast<std::int64_t>(groups.uniform() * g));
    const std::uint64_t id = static_cast<std::uint64_t>(group);
    out.add(&id, &id + 1);
    r.input_len += static_cast<std::int32_t>(spec.tokens);
  }
  return out;
}

}  // namespace cirrus::models
