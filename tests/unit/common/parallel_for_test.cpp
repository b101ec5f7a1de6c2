// parallel_for: every index runs once and its result lands at its index for any thread count;
// a task's exception reaches the caller (the lowest index's when several throw) instead of
// std::terminate; the thread count is capped at the task count and at a sane maximum.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/parallel_for.hpp"

using cirrus::parallel_for;
using cirrus::parallel_threads;

namespace {

// An error that says which task threw it.
struct TaskError : std::runtime_error {
  explicit TaskError(std::size_t i) : std::runtime_error("task " + std::to_string(i)), index(i) {}
  std::size_t index;
};

}  // namespace

TEST_CASE("parallel_for: results by index for any thread count", "[common][parallel_for]") {
  const std::size_t n = 1000;
  std::vector<std::size_t> expected(n);
  for (std::size_t i = 0; i < n; ++i) expected[i] = i * i + 7;
  for (int threads = 1; threads <= 16; ++threads) {
    INFO("threads = " << threads);
    std::vector<std::size_t> out(n, 0);
    std::vector<std::atomic<int>> runs(n);
    parallel_for(n, threads, [&](std::size_t i) {
      out[i] = i * i + 7;
      ++runs[i];
    });
    CHECK(out == expected);
    for (std::size_t i = 0; i < n; ++i) REQUIRE(runs[i].load() == 1);
  }
}

TEST_CASE("parallel_for: the work is spread over the threads asked for", "[common][parallel_for]") {
  // Tasks that wait for each other: they finish only when four threads run them at once.
  std::atomic<int> arrived{0};
  std::mutex mutex;
  std::set<std::thread::id> ids;
  parallel_for(4, 4, [&](std::size_t) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      ids.insert(std::this_thread::get_id());
    }
    ++arrived;
    // A deadline rather than a hang if they do not.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (arrived.load() < 4 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::yield();
    }
  });
  CHECK(ids.size() == 4);
  CHECK(ids.count(std::this_thread::get_id()) == 1);  // the caller is one of them
}

TEST_CASE("parallel_for: n = 0 runs nothing", "[common][parallel_for]") {
  int calls = 0;
  parallel_for(0, 8, [&](std::size_t) { ++calls; });
  CHECK(calls == 0);
  CHECK(parallel_threads(0, 8) == 0);
}

TEST_CASE("parallel_for: more threads than tasks, or fewer than one", "[common][parallel_for]") {
  for (const int threads : {-3, 0, 1, 3, 64, 100000}) {
    INFO("threads = " << threads);
    std::vector<int> out(3, 0);
    parallel_for(out.size(), threads, [&](std::size_t i) { out[i] = static_cast<int>(i) + 1; });
    CHECK(out == std::vector<int>{1, 2, 3});
  }
  CHECK(parallel_threads(3, 64) == 3);
  CHECK(parallel_threads(10, 0) == 1);
  CHECK(parallel_threads(10, -2) == 1);
  CHECK(parallel_threads(10, 4) == 4);
  // -j 100000 does not spawn 100000 threads.
  CHECK(parallel_threads(1000000, 100000) == cirrus::max_parallel_threads());
  CHECK(cirrus::max_parallel_threads() >= 256);
  CHECK(cirrus::max_parallel_threads() < 100000);
}

TEST_CASE("parallel_for: an exception from task k reaches the caller", "[common][parallel_for]") {
  const std::size_t n = 200;
  for (const std::size_t k : {std::size_t{0}, std::size_t{57}, n - 1}) {
    for (const int threads : {1, 2, 5, 16}) {
      INFO("k = " << k << ", threads = " << threads);
      std::vector<std::atomic<int>> ran(n);
      try {
        parallel_for(n, threads, [&](std::size_t i) {
          ++ran[i];
          if (i == k) throw TaskError(i);
        });
        FAIL("no exception");
      } catch (const TaskError& e) {
        CHECK(e.index == k);
      }
      // Every task below the one that threw ran, once.
      for (std::size_t i = 0; i < k; ++i) REQUIRE(ran[i].load() == 1);
    }
  }
}

TEST_CASE("parallel_for: when several tasks throw, the lowest index wins",
          "[common][parallel_for]") {
  const std::size_t n = 300;
  for (int threads = 1; threads <= 16; ++threads) {
    INFO("threads = " << threads);
    // Later throwers are made to fail first: task 40 waits until a higher one has thrown.
    std::atomic<bool> high_threw{false};
    try {
      parallel_for(n, threads, [&](std::size_t i) {
        if (i == 40) {
          if (threads > 1) {
            while (!high_threw.load()) std::this_thread::yield();
          }
          throw TaskError(i);
        }
        if (i == 41 || i == 150 || i == 299) {
          high_threw = true;
          throw TaskError(i);
        }
        // With one thread task 40 runs first and nothing can throw before it.
      });
      FAIL("no exception");
    } catch (const TaskError& e) {
      CHECK(e.index == 40);
    }
  }
}

TEST_CASE("parallel_for: exceptions of any type are carried", "[common][parallel_for]") {
  CHECK_THROWS_AS(parallel_for(10, 3,
                               [](std::size_t i) {
                                 if (i == 4) throw 42;
                               }),
                  int);
  CHECK_THROWS_WITH(parallel_for(10, 3,
                                 [](std::size_t i) {
                                   if (i >= 2)
                                     throw std::invalid_argument("bad " + std::to_string(i));
                                 }),
                    "bad 2");
}
