#include "models/serving/scheduler.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

#include "models/serving/kv_cache.hpp"

namespace cirrus::models {

ReplicaScheduler::ReplicaScheduler(const SchedulerConfig& config, std::int64_t blocks,
                                   std::vector<SeqState>& states, ReplicaExtras extras)
    : config_(config),
      blocks_(blocks),
      free_(blocks),
      states_(states),
      host_free_(extras.host_blocks),
      prefix_(extras.prefix) {
  if (prefix_ != nullptr) cache_ = std::make_unique<PrefixCache>(blocks);
}

std::int64_t ReplicaScheduler::blocks_needed(std::int64_t computed, std::int64_t blocks,
                                             std::int64_t tokens) const {
  // Most decodes still fit the last block they hold: no division on that path.
  const std::int64_t cached = computed + tokens;
  if (cached <= blocks * config_.block_size) return 0;
  return blocks_for(cached, config_.block_size) - blocks;
}

template <bool kCache>
void ReplicaScheduler::take(std::int64_t n) {
  free_ -= n;
  if constexpr (kCache) cache_->allocate(n);
}

template <bool kCache>
void ReplicaScheduler::release(std::uint32_t request, std::int64_t blocks) {
  if constexpr (!kCache) {
    free_ += blocks;
  } else {
    const auto it = held_.find(request);
    if (it == held_.end()) {
      cache_->release_plain(blocks);
    } else {
      const std::vector<PrefixCache::Block*>& held = it->second.blocks;
      const auto shared = std::count_if(held.begin(), held.end(),
                                        [](const PrefixCache::Block* b) { return b != nullptr; });
      // Last block first: the tail (plain, past the prefix) goes to the queue before the prefix.
      cache_->release_plain(blocks - shared);
      for (auto b = held.rbegin(); b != held.rend(); ++b) {
        if (*b != nullptr) cache_->release(*b);
      }
      held_.erase(it);
    }
    free_ = cache_->free();
  }
}

void ReplicaScheduler::enter_filled(std::uint32_t request, std::int64_t computed,
                                    std::int64_t tokens) {
  const auto it = held_.find(request);
  if (it == held_.end()) return;
  Held& h = it->second;
  const int bs = config_.block_size;
  const std::int64_t full = std::min(h.shareable, (computed + tokens) / bs);
  for (auto j = static_cast<std::int64_t>(h.blocks.size()); j < full; ++j) {
    h.blocks.push_back(cache_->enter(prefix_->block_hash(request, j, bs)));
  }
}

std::int64_t ReplicaScheduler::cached_prefix_blocks(std::uint32_t request) const {
  if (!cache_) return 0;
  const int bs = config_.block_size;
  const std::int64_t n = prefix_->shareable_blocks(request, states_[request].input, bs);
  const double per_id = prefix_->tokens_per_id();
  std::int64_t found = 0;
  for (std::size_t k = 0; k < prefix_->ids(request) && found < n; ++k) {
    // The last block inside id k (a block straddling ids counts with the later one).
    const auto end = std::min(
        n, static_cast<std::int64_t>(std::floor(static_cast<double>(k + 1) * per_id)) / bs);
    if (end <= found) continue;
    if (std::as_const(*cache_).find(prefix_->block_hash(request, end - 1, bs)) == nullptr) break;
    found = end;
  }
  return found;
}

template <bool kCache>
void ReplicaScheduler::preempt_last() {
  const Live& l = running_.back();
  SeqState& s = states_[l.request];
  release<kCache>(l.request, l.blocks);
  s.generated = l.generated;
  if (config_.preemption == PreemptionMode::kSwap && l.blocks <= host_free_) {
    // Its KV goes to host memory whole; it resumes where it stopped.
    host_free_ -= l.blocks;
    s.blocks = l.blocks;
    s.computed = l.computed;
    work_.swapped_blocks += l.blocks;
    ++swaps_;
  } else {
    s.computed = 0;
  }
  ++s.preemptions;
  ++preemptions_;
  waiting_.push_front(l.request);
  running_.pop_back();
}

template <bool kCache>
std::int64_t ReplicaScheduler::admit(sim::Time now, std::int64_t budget) {
  const std::uint32_t r = waiting_.front();
  SeqState& s = states_[r];
  const int bs = config_.block_size;
  const bool swapped = s.blocks > 0;
  std::int64_t computed = 0;  // tokens it starts with: swapped back in, or found in the cache
  std::int64_t held = 0;      // blocks it starts with
  std::int64_t free_hits = 0, shareable = 0;
  hits_.clear();
  if (swapped) {
    computed = s.computed;
    held = s.blocks;
  } else if (s.computed > 0) {
    // Its KV arrived from a prefill replica (disaggregation): cached already, in fresh blocks.
    computed = s.computed;
  } else if (kCache) {
    shareable = prefix_->shareable_blocks(r, s.input, bs);
    // At least one token is computed: its logits give the next token.
    const std::int64_t limit = std::min<std::int64_t>(shareable, (s.length() - 1) / bs);
    while (static_cast<std::int64_t>(hits_.size()) < limit) {
      PrefixCache::Block* b =
          cache_->find(prefix_->block_hash(r, static_cast<std::int64_t>(hits_.size()), bs));
      if (b == nullptr) break;
      free_hits += b->holders == 0 ? 1 : 0;
      hits_.push_back(b);
    }
    held = static_cast<std::int64_t>(hits_.size());
    computed = held * bs;
  }
  const std::int64_t hits = swapped ? 0 : held;
  // A preempted request recomputed re-reads its generated tokens as prompt: prefill work too.
  std::int64_t tokens = s.length() - computed;
  if (!config_.chunked_prefill && tokens > budget) return 0;
  tokens = std::min(tokens, budget);
  // Swapped blocks come back into new GPU blocks; hits on free cached blocks take them too.
  // Reserving admission takes the blocks of the request's last token now (the loader refuses
  // it with prefix caching, and it never preempts, so nothing here is cached or swapped).
  const std::int64_t fresh =
      config_.reserve_full
          ? std::max<std::int64_t>(0, blocks_for(std::int64_t{s.input} + s.output - 1, bs) - held)
          : blocks_needed(computed, held, tokens);
  const std::int64_t allocate = (swapped ? held : 0) + fresh;
  if (allocate + free_hits > free_) return 0;
  waiting_.pop_front();
  if (kCache && !swapped && shareable > 0) {
    Held& h = held_[r];
    h.shareable = shareable;
    for (PrefixCache::Block* b : hits_) cache_->acquire(b);
    h.blocks.assign(hits_.begin(), hits_.end());
  } else if (kCache && swapped) {
    // Back from host memory into plain blocks; blocks it fills from here may still be entered.
    shareable = prefix_->shareable_blocks(r, s.input, bs);
    if (shareable > 0) {
      Held& h = held_[r];
      h.shareable = shareable;
      h.blocks.assign(static_cast<std::size_t>(computed / bs), nullptr);
    }
  }
  take<kCache>(allocate);
  if constexpr (kCache) free_ = cache_->free();
  if (swapped) {
    host_free_ += held;
    work_.swapped_blocks += held;
    s.blocks = 0;
    ++swap_ins_;
  }
  if (s.first_scheduled == sim::Time::max()) {
    s.first_scheduled = now;
    prefix_hit_tokens_ += hits * bs;
  }
  const auto blocks = static_cast<std::int32_t>(held + fresh);
  running_.push_back(
      {r, s.input, s.output, static_cast<std::int32_t>(computed), s.generated, blocks});
  const Live& l = running_.back();
  work_.add(tokens, computed, l.generated == 0 || l.computed + 1 < l.length());
  planned_.push_back(
      {static_cast<std::uint32_t>(running_.size() - 1), static_cast<std::int32_t>(tokens)});
  if (kCache && computed < s.input) enter_filled(r, computed, tokens);
  return tokens;
}

const BatchWork& ReplicaScheduler::schedule(sim::Time now) {
  return cache_ ? schedule_with<true>(now) : schedule_with<false>(now);
}

void ReplicaScheduler::complete(sim::Time now, std::vector<std::uint32_t>& finished) {
  if (cache_) {
    complete_with<true>(now, finished);
  } else {
    complete_with<false>(now, finished);
  }
}

template <bool kCache>
const BatchWork& ReplicaScheduler::schedule_with(sim::Time now) {
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
      preempt_last<kCache>();
      preempted = true;
      if (self) {
        fits = false;
        break;
      }
    }
    if (!fits) break;
    Live& l = running_[i];
    take<kCache>(need);
    l.blocks += static_cast<std::int32_t>(need);
    work_.add(tokens, l.computed, l.generated == 0 || l.computed + 1 < l.length());
    planned_.push_back({static_cast<std::uint32_t>(i), static_cast<std::int32_t>(tokens)});
    // Only a prompt's blocks can be shared: decodes skip the lookup.
    if (kCache && l.computed < l.input) enter_filled(l.request, l.computed, tokens);
    budget -= tokens;
    ++i;
  }
  if (!preempted) {
    while (!waiting_.empty() && budget > 0 &&
           running_.size() < static_cast<std::size_t>(config_.max_num_seqs)) {
      const std::int64_t tokens = admit<kCache>(now, budget);
      if (tokens == 0) break;
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

template <bool kCache>
void ReplicaScheduler::complete_with(sim::Time now, std::vector<std::uint32_t>& finished) {
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
      release<kCache>(l.request, l.blocks);
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
