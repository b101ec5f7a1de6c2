#pragma once
// One replica's KV blocks when prefix caching is on (vLLM V1's BlockPool and KVCacheManager,
// vllm/v1/core/block_pool.py, kv_cache_utils.py; recalled from the source, unverified here):
//   - a full block that can be shared (prefix.hpp) is entered under its hash when it is
//     scheduled to be filled, and counts the sequences holding it;
//   - a new request first takes the longest run of its leading blocks found under their hashes
//     (a hit: those tokens are not computed again);
//   - a block no sequence holds is free, but keeps its hash and can still be hit until it is
//     reused. Free blocks form one queue, least recently freed first: a sequence frees its
//     blocks last block first (so its tail goes before its prefix), new blocks are taken from
//     the front, and taking a block with a hash evicts that hash.
// Blocks that cannot be shared (past the prefix ids, or a duplicate of a block another sequence
// entered first) are kept as counts: runs of them in the queue, not single blocks.
//
// The queue is lazy: a hit on a free block leaves its old entry behind, skipped when it reaches
// the front (and dropped when stale entries outnumber the blocks), so every operation is
// constant time amortized.
#include <cstdint>
#include <deque>
#include <unordered_map>

namespace cirrus::models {

class PrefixCache {
 public:
  // A block under its hash. Its address is stable while it is in the cache (an unordered_map's
  // elements do not move), so holders keep a pointer.
  struct Block {
    std::uint64_t hash = 0;
    std::int32_t holders = 0;
    std::uint64_t stamp = 0;  // of its queue entry while free
  };

  explicit PrefixCache(std::int64_t blocks);

  std::int64_t free() const { return free_; }
  std::int64_t evictions() const { return evictions_; }

  // The block under `hash`, held or free; null when there is none.
  Block* find(std::uint64_t hash);
  const Block* find(std::uint64_t hash) const;
  // A hit: one more sequence holds `b`.
  void acquire(Block* b);
  // Takes `n` blocks (at most free()) from the front of the queue, evicting hashes on the way.
  void allocate(std::int64_t n);
  // A block just taken and to be filled with the tokens of `hash`: entered under it (held once),
  // or null when the hash is already there (the block stays a plain one).
  Block* enter(std::uint64_t hash);
  // One holder less for `b`; free (at the back of the queue) at none.
  void release(Block* b);
  // `n` plain blocks freed, to the back of the queue.
  void release_plain(std::int64_t n);

 private:
  struct Entry {
    std::uint64_t hash;   // a block under its hash, when count is 0
    std::uint64_t stamp;  // the block's stamp when queued
    std::int64_t count;   // > 0: a run of plain blocks
  };
  bool live(const Entry& e) const;  // not stale
  void compact();

  std::unordered_map<std::uint64_t, Block> blocks_;
  std::deque<Entry> queue_;
  std::int64_t free_;
  std::int64_t total_;
  std::int64_t evictions_ = 0;
  std::uint64_t next_stamp_ = 1;
};

}  // namespace cirrus::models
