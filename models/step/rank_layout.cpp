#include "models/step/rank_layout.hpp"

#include <algorithm>

namespace cirrus::models {

RankGroup rank_group(CommGroup g) {
  switch (g) {
    case CommGroup::kTp:
      return RankGroup::kTp;
    case CommGroup::kCp:
      return RankGroup::kCp;
    case CommGroup::kEp:
      return RankGroup::kEp;
  }
  return RankGroup::kTp;
}

int GroupShape::ranks_per_node(int gpus_per_node) const {
  if (stride >= gpus_per_node) return 1;
  return static_cast<int>(std::clamp<long>(gpus_per_node / stride, 1, size));
}

RankLayout::RankLayout(const Strategy& s, int gpus_per_node)
    : tp_(s.tp),
      cp_(s.cp),
      dp_(s.dp),
      ep_(std::max(1, s.ep)),
      shard_(s.shard_group()),
      stage_size_(static_cast<long>(s.tp) * s.cp * s.dp),
      gpus_per_node_(gpus_per_node) {}

int RankLayout::rank(int tp_i, int cp_i, int dp_i, int pp_i) const {
  return tp_i + tp_ * (cp_i + cp_ * (dp_i + dp_ * pp_i));
}

std::vector<int> RankLayout::stage_ranks(int stage) const {
  std::vector<int> ranks(static_cast<std::size_t>(stage_size_));
  const int first = representative(stage);
  for (std::size_t i = 0; i < ranks.size(); ++i) ranks[i] = first + static_cast<int>(i);
  return ranks;
}

GroupShape RankLayout::shape(RankGroup g) const {
  switch (g) {
    case RankGroup::kTp:
      return {tp_, 1};
    case RankGroup::kCp:
      return {cp_, tp_};
    case RankGroup::kEp:
      return {ep_, tp_};
    case RankGroup::kDp:
      return {shard_, tp_};
    case RankGroup::kEdp:
      return {data_parallel_size() / ep_, static_cast<long>(tp_) * ep_};
    case RankGroup::kRep:
      return {data_parallel_size() / std::max(1, shard_), static_cast<long>(tp_) * shard_};
  }
  return {};
}

std::vector<int> RankLayout::group(RankGroup g, int rank) const {
  const GroupShape sh = shape(g);
  const long base = representative(stage_of(rank));
  const long local = rank - base;
  const long first = base + local - (local / sh.stride) % sh.size * sh.stride;
  std::vector<int> ranks(static_cast<std::size_t>(sh.size));
  for (int j = 0; j < sh.size; ++j) ranks[j] = static_cast<int>(first + sh.stride * j);
  return ranks;
}

std::vector<std::vector<int>> RankLayout::stage_groups(RankGroup g, int stage) const {
  // A group of size n and stride d tiles blocks of n x d consecutive ranks; its first members
  // are a block's first d ranks.
  const GroupShape sh = shape(g);
  const long block = sh.stride * sh.size;
  std::vector<std::vector<int>> groups;
  groups.reserve(static_cast<std::size_t>(stage_size_ / sh.size));
  const int base = representative(stage);
  for (long b = 0; b < stage_size_; b += block) {
    for (long i = 0; i < sh.stride; ++i) groups.push_back(group(g, static_cast<int>(base + b + i)));
  }
  return groups;
}

bool RankLayout::stages_share_node(int a, int b) const {
  const long gpn = gpus_per_node_;
  return (a * stage_size_) / gpn == (b * stage_size_) / gpn;
}

}  // namespace cirrus::models
