#pragma once
// parallel_for(n, threads, f): runs f(i) for every i in [0, n) on up to `threads` threads (the
// calling thread is one of them) and returns when all are done. Indices are handed out in
// increasing order, one at a time, so the work balances itself; f must write its result by
// index (results[i]) for the outcome to be the same for every thread count.
//
// Exceptions: one thrown by f(i) is caught on its worker. After every worker has joined, the
// exception of the lowest index that threw is rethrown on the calling thread: the same error
// for every thread count, and never std::terminate. Indices above one that has already thrown
// are skipped (their exceptions could not win); every index below the lowest thrower runs.
//
// Threads: `threads` < 1 means 1. The count is capped at n (an idle thread only costs) and at
// max_parallel_threads(), so that `-j 100000` does not try to spawn 100000 threads.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <system_error>
#include <thread>
#include <vector>

namespace cirrus {

// The most threads parallel_for starts: the host's hardware threads, but at least 256 so that
// results can be checked against many threads on a small host (they never change the outcome).
inline std::size_t max_parallel_threads() {
  return std::max<std::size_t>(256, std::thread::hardware_concurrency());
}

// The number of threads parallel_for(n, threads, f) runs on: 0 when n is 0.
inline std::size_t parallel_threads(std::size_t n, int threads) {
  const std::size_t asked = threads < 1 ? 1 : static_cast<std::size_t>(threads);
  return std::min({asked, n, max_parallel_threads()});
}

template <class F>
void parallel_for(std::size_t n, int threads, const F& f) {
  const std::size_t count = parallel_threads(n, threads);
  if (count == 0) return;
  std::vector<std::exception_ptr> errors(n);
  std::atomic<std::size_t> cursor{0};
  std::atomic<std::size_t> lowest_error{n};  // n: none yet
  auto worker = [&]() noexcept {
    for (std::size_t i = cursor.fetch_add(1); i < n; i = cursor.fetch_add(1)) {
      // The cursor only grows and lowest_error only falls: every later index is skipped too.
      if (i > lowest_error.load()) return;
      try {
        f(i);
      } catch (...) {
        errors[i] = std::current_exception();
        std::size_t seen = lowest_error.load();
        while (i < seen && !lowest_error.compare_exchange_weak(seen, i)) {
        }
      }
    }
  };
  {
    std::vector<std::jthread> pool;
    pool.reserve(count - 1);
    for (std::size_t t = 1; t < count; ++t) {
      try {
        pool.emplace_back(worker);
      } catch (const std::system_error&) {
        break;  // the system has no more threads to give: the ones running do all the work
      }
    }
    worker();
  }  // jthread joins
  const std::size_t first = lowest_error.load();
  if (first < n) std::rethrow_exception(errors[first]);
}

}  // namespace cirrus
