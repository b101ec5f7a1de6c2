#pragma once
// One replica's scheduler, as vLLM's V1 engine runs it (vllm/v1/core/sched/scheduler.py;
// ../shared/reference/formats.md, section (e)): continuous batching, one iteration at a time.
//
// Each iteration, with a token budget of max_num_batched_tokens:
//   1. the running sequences, oldest admission first: each gets the tokens it has not computed
//      (1 for a decode, the rest of its prompt for a chunked prefill) up to what is left of the
//      budget, and the KV blocks those tokens need. When the free blocks run out, the most
//      recently admitted running sequence is preempted: its blocks are freed and it goes back to
//      the front of the waiting queue (when that is the sequence asking, it waits too and the
//      pass ends). By recompute (vLLM V1) its computed tokens are forgotten; by swap (vLLM V0's
//      other mode, which V0 itself used only for sequence groups of several sequences, as in
//      beam search: formats.md section (e)) its blocks are copied to the host's swap space and
//      its computed tokens kept, and when it resumes they are copied back, before any new
//      request is admitted, as V0 ran its swapped queue first. The copies' blocks are counted in
//      the iteration that does them (BatchWork::swapped_blocks; the fleet times them). When the
//      swap space cannot take the sequence's blocks, it is recomputed;
//   2. unless something was preempted in this iteration, waiting requests first come first
//      served, while fewer than max_num_seqs run, budget is left and their blocks are free:
//      each with its whole prompt (plus, after a preemption, the tokens it had generated) or,
//      with chunked prefill, as much of it as the budget allows; without chunked prefill a
//      prompt that does not fit the remaining budget waits.
// With reserve_full (TensorRT-LLM's GUARANTEED_NO_EVICT) an admission takes the blocks of the
// request's whole prompt and output at once, so step 1 never runs out and nothing is preempted.
// When the iteration ends, every sequence whose computed tokens reach its length samples one
// token; the first is its first token, and a sequence with all its output tokens finishes and
// frees its blocks.
//
// Without prefix caching blocks are counted, not placed: no block is shared, so which block a
// sequence holds does not matter. With it (requests carrying prefix ids, prefix.hpp) a
// PrefixCache places the shareable ones (prefix_cache.hpp): a request admitted for the first
// time, or again after a recompute, takes the longest run of its leading prefix blocks found in
// the cache, capped so that at least one token is computed (its last prompt token gives its
// first output), and starts with those tokens computed. A sequence swapped back in holds plain
// blocks.
#include <cstdint>
#include <deque>
#include <memory>
#include <unordered_map>
#include <vector>

#include "models/serving/iteration_time.hpp"
#include "models/serving/prefix.hpp"
#include "models/serving/prefix_cache.hpp"
#include "models/serving/request.hpp"
#include "models/serving/serving_spec.hpp"
#include "sim/time.hpp"

namespace cirrus::models {

// A request's progress and times, shared by the fleet and the replica serving it. While it runs,
// its counts live in the replica (below) and are written back here when it is preempted or
// finishes; its times are written as they happen.
struct SeqState {
  std::int32_t input = 0;     // prompt tokens
  std::int32_t output = 0;    // tokens to generate
  std::int32_t computed = 0;  // tokens whose KV is cached
  std::int32_t generated = 0;
  // KV blocks it holds while not running: those in the host's swap space (> 0: swapped out).
  // While it runs, its blocks are the replica's to count.
  std::int32_t blocks = 0;
  std::int32_t preemptions = 0;
  sim::Time first_scheduled = sim::Time::max();  // max: not yet
  sim::Time first_token = sim::Time::max();
  sim::Time finish = sim::Time::max();

  std::int32_t length() const { return input + generated; }  // tokens it has
};

// What a replica has beside its GPU blocks.
struct ReplicaExtras {
  std::int64_t host_blocks = 0;       // swap space, in blocks (preemption by swap)
  const PrefixIds* prefix = nullptr;  // the requests' prefix ids; non-null: prefix caching on
};

class ReplicaScheduler {
 public:
  // `states` (indexed by request id) and `extras.prefix` outlive the scheduler.
  ReplicaScheduler(const SchedulerConfig& config, std::int64_t blocks,
                   std::vector<SeqState>& states, ReplicaExtras extras = {});

  // A request whose state has `computed` > 0 (its prompt's KV received from a prefill replica,
  // disagg_sim.hpp) is admitted with those tokens cached: blocks for them and its next token,
  // and only the tokens it lacks scheduled (a decode). Everything else arrives with none.
  void enqueue(std::uint32_t request) { waiting_.push_back(request); }
  bool has_work() const { return !waiting_.empty() || !running_.empty(); }
  std::size_t outstanding() const { return waiting_.size() + running_.size(); }
  std::size_t waiting() const { return waiting_.size(); }

  // Plans the next iteration starting at `now`; the work is empty only when there is none.
  const BatchWork& schedule(sim::Time now);
  // Ends the planned iteration at `now`; appends the requests that finished to `finished`.
  void complete(sim::Time now, std::vector<std::uint32_t>& finished);

  std::int64_t blocks() const { return blocks_; }
  std::int64_t used_blocks() const { return blocks_ - free_; }
  std::int64_t peak_used_blocks() const { return peak_used_; }
  std::int64_t preemptions() const { return preemptions_; }  // by recompute and by swap
  std::int64_t swaps() const { return swaps_; }              // preemptions by swap
  std::int64_t swap_ins() const { return swap_ins_; }
  std::int64_t evictions() const { return cache_ ? cache_->evictions() : 0; }
  // Prompt tokens found in the prefix cache, counted at each request's first admission.
  std::int64_t prefix_hit_tokens() const { return prefix_hit_tokens_; }
  // How many leading prefix blocks of `request` this replica's cache holds (0 without caching),
  // for the router: it probes the last block inside each prefix id, first id first, and stops
  // at the first missing, so an arrival costs a lookup per id, not per block, on every replica.
  // Free blocks go tail first, so a cache that holds an id's last block almost always holds
  // the blocks before it; the scheduler's own hits check every block.
  std::int64_t cached_prefix_blocks(std::uint32_t request) const;

  // The replica is lost (a spot interruption): every request it holds, running ones first in
  // admission order and then the waiting ones, is appended to `out` with its KV cache gone
  // (computed tokens 0, like a recompute preemption; generated tokens were already sent), and
  // the iteration in flight, if any, is abandoned.
  void evacuate(std::vector<std::uint32_t>& out);

 private:
  // A running sequence's hot state, kept contiguous here (the shared SeqState is written back
  // when it is preempted or finishes): the fleet runs millions of iterations over these.
  struct Live {
    std::uint32_t request;
    std::int32_t input, output, computed, generated, blocks;
    std::int32_t length() const { return input + generated; }
  };
  struct Planned {
    std::uint32_t slot;  // index in running_
    std::int32_t tokens;
  };
  // New blocks a sequence holding `blocks` blocks with `computed` tokens cached needs for
  // `tokens` more.
  std::int64_t blocks_needed(std::int64_t computed, std::int64_t blocks, std::int64_t tokens) const;
  // Each of these twice: with the prefix cache, and without it (blocks only counted), so that
  // the path without prefixes runs no test of the cache at all.
  template <bool kCache>
  const BatchWork& schedule_with(sim::Time now);
  template <bool kCache>
  void complete_with(sim::Time now, std::vector<std::uint32_t>& finished);
  template <bool kCache>
  void preempt_last();
  // Admits the first waiting request with `budget` tokens left: the tokens it takes, 0 when it
  // cannot start.
  template <bool kCache>
  std::int64_t admit(sim::Time now, std::int64_t budget);

  // Prefix caching: a running sequence's leading blocks as the cache knows them, block 0 first:
  // the block under its hash (entered or hit), or null for a plain one.
  struct Held {
    std::int64_t shareable = 0;  // its prompt's shareable blocks
    std::vector<PrefixCache::Block*> blocks;
  };
  // Enters the shareable blocks that `tokens` new tokens after `computed` fill.
  void enter_filled(std::uint32_t request, std::int64_t computed, std::int64_t tokens);
  // Frees the `blocks` blocks of `request`, last first.
  template <bool kCache>
  void release(std::uint32_t request, std::int64_t blocks);
  template <bool kCache>
  void take(std::int64_t n);

  SchedulerConfig config_;
  std::int64_t blocks_;
  std::int64_t free_;
  std::int64_t peak_used_ = 0;
  std::int64_t preemptions_ = 0;
  std::vector<SeqState>& states_;
  std::deque<std::uint32_t> waiting_;
  std::vector<Live> running_;  // admission order
  std::vector<Planned> planned_;
  BatchWork work_;
  // Swap and prefix caching, after what every iteration reads.
  std::int64_t swaps_ = 0, swap_ins_ = 0;
  std::int64_t prefix_hit_tokens_ = 0;
  std::int64_t host_free_;
  const PrefixIds* prefix_;
  std::unique_ptr<PrefixCache> cache_;  // null: blocks counted only
  std::unordered_map<std::uint32_t, Held> held_;
  std::vector<PrefixCache::Block*> hits_;  // scratch of admit()
};

}  // namespace cirrus::models
