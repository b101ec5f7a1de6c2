#include "models/serving/scheduler.hpp"

#include <algorithm>
#include <stdexcept>

#include "models/serving/kv_cache.hpp"

namespace cirrus::models {

ReplicaScheduler::ReplicaScheduler(const SchedulerConfig& config, std::int64_t blocks,
                                   std::vector<SeqState>& states)
    : config_(config), blocks_(blocks), free_(blocks), states_(states) {}

std::int64_t ReplicaScheduler::blocks_needed(std::int64_t computed, std::int64_t blocks,
                                             std::int64_t tokens) const {
  // Most decodes still fit the last block they hold: no division on that path.
  const std::int64_t cached = computed + tokens;
  if (cached <= blocks * config_.block_size) return 0;
  return blocks_for(cached, config_.block_size) - blocks;
}

void ReplicaScheduler::preempt_last() {
  const Live& l = running_.back();
  SeqState& s = states_[l.request];
  free_ += l.blocks;
  s.blocks = 0;
  s.computed = 0;
  s.generated = l.generated;
  ++s.preemptions;
  ++preemptions_;
  waiting_.push_front(l.request);
  running_.pop_back();
}

const BatchWork& ReplicaScheduler::schedule(sim::Time now) {
  work_.clear();
  planned_.clear();
  std::int64_t budget = config_.max_num_batched_tokens;
  bool preempted = false;
  std::size_t i = 0;
  while (i < running_.size() && budget > 0) {
    const std::int64_t tokens =
        std::min<std::int64_t>(running_[i].length() - running_[i].computed, budget);
    const std::int64_t need = blocks_needed(running_[i].computed, running_[i].blocks, tokens);
    bool fits = true;
    while (need > free_) {
      // The youngest goes; when that is this sequence, it waits too and the pass ends.
      const bool self = running_.size() == i + 1;
      preempt_last();
      preempted = true;
      if (self) {
        fits = false;
        break;
      }
    }
    if (!fits) break;
    Live& l = running_[i];
    free_ -= need;
    l.blocks += static_cast<std::int32_t>(need);
    work_.add(tokens, l.computed, l.generated == 0 || l.computed + 1 < l.length());
    planned_.push_back({static_cast<std::uint32_t>(i), static_cast<std::int32_t>(tokens)});
    budget -= tokens;
    ++i;
  }
  if (!preempted) {
    while (!waiting_.empty() && budget > 0 &&
           running_.size() < static_cast<std::size_t>(config_.max_num_seqs)) {
      const std::uint32_t r = waiting_.front();
      SeqState& s = states_[r];
      // A preempted request re-reads its generated tokens as prompt: prefill work too.
      std::int64_t tokens = s.length();
      if (!config_.chunked_prefill && tokens > budget) break;
      tokens = std::min(tokens, budget);
      // Reserving admission takes the blocks of the request's last token now.
      const std::int64_t need =
          config_.reserve_full
              ? blocks_for(std::int64_t{s.input} + s.output - 1, config_.block_size)
              : blocks_needed(0, 0, tokens);
      if (need > free_) break;
      waiting_.pop_front();
      free_ -= need;
      if (s.first_scheduled == sim::Time::max()) s.first_scheduled = now;
      running_.push_back({r, s.input, s.output, 0, s.generated, static_cast<std::int32_t>(need)});
      work_.add(tokens, 0, true);
      planned_.push_back(
          {static_cast<std::uint32_t>(running_.size() - 1), static_cast<std::int32_t>(tokens)});
      budget -= tokens;
    }
  }
  peak_used_ = std::max(peak_used_, blocks_ - free_);
  if (work_.seqs == 0 && has_work()) {
    // The fleet checks that one request of the largest size fits an empty replica; with that,
    // the oldest running sequence or the first waiting one always gets tokens.
    throw std::logic_error("ReplicaScheduler: work waits but nothing could be scheduled");
  }
  return work_;
}

void ReplicaScheduler::complete(sim::Time now, std::vector<std::uint32_t>& finished) {
  bool any_finished = false;
  for (const Planned& p : planned_) {
    Live& l = running_[p.slot];
    l.computed += p.tokens;
    if (l.computed < l.length()) continue;  // a chunk of a prefill: no token yet
    ++l.generated;
    SeqState& s = states_[l.request];
    if (s.first_token == sim::Time::max()) s.first_token = now;
    if (l.generated == l.output) {
      s.finish = now;
      s.generated = l.generated;
      s.computed = l.computed;
      s.blocks = 0;
      free_ += l.blocks;
      l.blocks = -1;  // marks it for removal below
      finished.push_back(l.request);
      any_finished = true;
    }
  }
  planned_.clear();
  if (any_finished) std::erase_if(running_, [](const Live& l) { return l.blocks < 0; });
}

void ReplicaScheduler::evacuate(std::vector<std::uint32_t>& out) {
  for (const Live& l : running_) {
    SeqState& s = states_[l.request];
    s.blocks = 0;
    s.computed = 0;
    s.generated = l.generated;
    out.push_back(l.request);
  }
  out.insert(out.end(), waiting_.begin(), waiting_.end());
  running_.clear();
  waiting_.clear();
  planned_.clear();
  free_ = blocks_;
}

}  // namespace cirrus::models
