#pragma once
// One replica's scheduler, as vLLM's V1 engine runs it (vllm/v1/core/sched/scheduler.py;
// ../shared/reference/formats.md, section (e)): continuous batching, one iteration at a time.
//
// Each iteration, with a token budget of max_num_batched_tokens:
//   1. the running sequences, oldest admission first: each gets the tokens it has not computed
//      (1 for a decode, the rest of its prompt for a chunked prefill) up to what is left of the
//      budget, and the KV blocks those tokens need. When the free blocks run out, the most
//      recently admitted running sequence is preempted by recompute: its blocks are freed, its
//      computed tokens forgotten, and it goes back to the front of the waiting queue (when that
//      is the sequence asking, it waits too and the pass ends);
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
// Blocks are counted, not placed: without prefix caching no block is shared, so which block a
// sequence holds does not matter.
#include <cstdint>
#include <deque>
#include <vector>

#include "models/serving/iteration_time.hpp"
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
  std::int32_t blocks = 0;  // KV blocks held
  std::int32_t preemptions = 0;
  sim::Time first_scheduled = sim::Time::max();  // max: not yet
  sim::Time first_token = sim::Time::max();
  sim::Time finish = sim::Time::max();

  std::int32_t length() const { return input + generated; }  // tokens it has
};

class ReplicaScheduler {
 public:
  // `states` is indexed by request id and outlives the scheduler.
  ReplicaScheduler(const SchedulerConfig& config, std::int64_t blocks,
                   std::vector<SeqState>& states);

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
  std::int64_t preemptions() const { return preemptions_; }

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
  void preempt_last();

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
};

}  // namespace cirrus::models
