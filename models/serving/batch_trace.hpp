#pragma once
// A record of the iterations the replicas ran, for a Perfetto trace of the batches
// (reports/serving_trace.hpp): what each iteration computed and how full the replica was.
// Bounded: the first `cap` iterations, in start order, are kept; the rest are only counted, so
// that a run of millions of iterations costs no more memory than the cap.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/time.hpp"

namespace cirrus::models {

struct IterationRecord {
  std::uint32_t replica = 0;
  sim::Time start, end;
  std::int64_t tokens = 0;          // new tokens
  std::int64_t prefill_tokens = 0;  // of them, prefill
  std::int32_t seqs = 0;
  std::int64_t kv_blocks_used = 0;  // after scheduling
  std::int64_t waiting = 0;         // requests left waiting after scheduling
  std::int64_t swapped_blocks = 0;  // copied to or from host memory
};

// 100,000 iterations: about 25 MB of trace-event JSON, which Perfetto's UI opens at once.
inline constexpr std::size_t kDefaultTraceCap = 100'000;

struct BatchTrace {
  std::size_t cap = kDefaultTraceCap;
  std::vector<IterationRecord> records;  // the first `cap` iterations
  std::int64_t iterations = 0;           // every iteration of the run

  void add(const IterationRecord& r) {
    ++iterations;
    if (records.size() < cap) records.push_back(r);
  }
};

}  // namespace cirrus::models
