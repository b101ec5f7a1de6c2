#include "models/serving/prefix_cache.hpp"

#include <algorithm>
#include <stdexcept>

namespace cirrus::models {

PrefixCache::PrefixCache(std::int64_t blocks) : free_(blocks), total_(blocks) {
  if (blocks > 0) queue_.push_back({0, 0, blocks});
}

PrefixCache::Block* PrefixCache::find(std::uint64_t hash) {
  const auto it = blocks_.find(hash);
  return it == blocks_.end() ? nullptr : &it->second;
}

const PrefixCache::Block* PrefixCache::find(std::uint64_t hash) const {
  const auto it = blocks_.find(hash);
  return it == blocks_.end() ? nullptr : &it->second;
}

void PrefixCache::acquire(Block* b) {
  if (b->holders++ == 0) {
    b->stamp = 0;  // its queue entry is stale now
    --free_;
  }
}

void PrefixCache::allocate(std::int64_t n) {
  if (n > free_) throw std::logic_error("PrefixCache: more blocks taken than are free");
  free_ -= n;
  while (n > 0) {
    Entry& e = queue_.front();
    if (e.count > 0) {
      const std::int64_t take = std::min(n, e.count);
      e.count -= take;
      n -= take;
      if (e.count == 0) queue_.pop_front();
      continue;
    }
    if (live(e)) {
      blocks_.erase(e.hash);
      ++evictions_;
      --n;
    }
    queue_.pop_front();
  }
}

PrefixCache::Block* PrefixCache::enter(std::uint64_t hash) {
  const auto [it, added] = blocks_.try_emplace(hash);
  if (!added) return nullptr;
  it->second.hash = hash;
  it->second.holders = 1;
  return &it->second;
}

void PrefixCache::release(Block* b) {
  if (--b->holders > 0) return;
  b->stamp = next_stamp_++;
  queue_.push_back({b->hash, b->stamp, 0});
  ++free_;
  // A block hit and freed again and again leaves stale entries: drop them before they outgrow
  // the cache.
  if (static_cast<std::int64_t>(queue_.size()) > 2 * total_ + 64) compact();
}

void PrefixCache::release_plain(std::int64_t n) {
  if (n <= 0) return;
  if (!queue_.empty() && queue_.back().count > 0) {
    queue_.back().count += n;
  } else {
    queue_.push_back({0, 0, n});
  }
  free_ += n;
}

bool PrefixCache::live(const Entry& e) const {
  if (e.count > 0) return true;
  const auto it = blocks_.find(e.hash);
  return it != blocks_.end() && it->second.holders == 0 && it->second.stamp == e.stamp;
}

void PrefixCache::compact() {
  std::deque<Entry> kept;
  for (const Entry& e : queue_) {
    if (live(e)) kept.push_back(e);
  }
  queue_.swap(kept);
}

}  // namespace cirrus::models
