#include "sim/event_queue.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <queue>
#include <tuple>
#include <vector>

#include "common/rng.hpp"

namespace cirrus::sim {
namespace {

using Key = std::tuple<std::int64_t, std::uint32_t, std::uint64_t>;

Key key_of(const Event& e) { return {e.time.count(), e.phase, e.seq}; }

TEST_CASE("EventQueue pops by time, then phase, then push order", "[sim][event_queue]") {
  EventQueue q;
  q.push(Time::ps(30), 0, 7, 1);
  q.push(Time::ps(10), 1, 7, 2);
  q.push(Time::ps(10), 0, 7, 3);
  q.push(Time::ps(20), 0, 7, 4);
  q.push(Time::ps(10), 0, 7, 5);  // same key as id 3: FIFO
  REQUIRE(q.size() == 5);
  std::vector<std::uint32_t> ids;
  while (!q.empty()) ids.push_back(q.pop().id);
  CHECK(ids == std::vector<std::uint32_t>{3, 5, 2, 4, 1});
}

TEST_CASE("EventQueue is FIFO among equal (time, phase)", "[sim][event_queue]") {
  EventQueue q;
  for (std::uint32_t i = 0; i < 1000; ++i) q.push(Time::ps(5), 2, 0, i, i * 3);
  for (std::uint32_t i = 0; i < 1000; ++i) {
    const Event e = q.pop();
    REQUIRE(e.id == i);
    REQUIRE(e.generation == i * 3);
    REQUIRE(e.seq == i);
  }
  CHECK(q.empty());
}

TEST_CASE("EventQueue agrees with sorting on random pushes", "[sim][event_queue]") {
  Rng rng(42);
  EventQueue q;
  std::vector<Key> pushed;
  for (std::uint32_t i = 0; i < 20000; ++i) {
    const auto t = Time::ps(static_cast<std::int64_t>(rng.next() % 500));
    const auto phase = static_cast<std::uint32_t>(rng.next() % 3);
    const std::uint64_t seq = q.push(t, phase, 0, i);
    pushed.emplace_back(t.count(), phase, seq);
  }
  std::sort(pushed.begin(), pushed.end());
  std::vector<Key> popped;
  while (!q.empty()) popped.push_back(key_of(q.pop()));
  CHECK(popped == pushed);
}

TEST_CASE("EventQueue agrees with std::priority_queue on interleaved push/pop",
          "[sim][event_queue]") {
  Rng rng(7);
  EventQueue q;
  std::priority_queue<Key, std::vector<Key>, std::greater<>> oracle;
  std::int64_t now = 0;
  for (int step = 0; step < 200000; ++step) {
    if (oracle.empty() || rng.uniform() < 0.55) {
      // Like a simulator: never schedule before the last popped time.
      const std::int64_t t = now + static_cast<std::int64_t>(rng.next() % 100);
      const auto phase = static_cast<std::uint32_t>(rng.next() % 2);
      const std::uint64_t seq = q.push(Time::ps(t), phase, 1, 0);
      oracle.emplace(t, phase, seq);
    } else {
      REQUIRE(!q.empty());
      const Event e = q.pop();
      REQUIRE(key_of(e) == oracle.top());
      now = e.time.count();
      oracle.pop();
    }
    REQUIRE(q.size() == oracle.size());
  }
  while (!oracle.empty()) {
    REQUIRE(key_of(q.pop()) == oracle.top());
    oracle.pop();
  }
  CHECK(q.empty());
}

TEST_CASE("EventQueue clear restarts sequence numbers", "[sim][event_queue]") {
  EventQueue q;
  q.push(Time::ps(1), 0, 0, 0);
  q.push(Time::ps(2), 0, 0, 0);
  q.clear();
  CHECK(q.empty());
  CHECK(q.push(Time::ps(3), 0, 0, 0) == 0);
  CHECK(q.top().time == Time::ps(3));
}

TEST_CASE("EventQueue compact drops entries and keeps the order of the rest",
          "[sim][event_queue]") {
  Rng rng(3);
  EventQueue q;
  std::vector<Key> kept;
  for (std::uint32_t i = 0; i < 5000; ++i) {
    const auto t = Time::ps(static_cast<std::int64_t>(rng.next() % 300));
    const std::uint64_t seq = q.push(t, 0, 0, i, i % 3);
    if (i % 3 != 0) kept.emplace_back(t.count(), 0, seq);
  }
  q.compact([](const Event& e) { return e.generation == 0; });
  REQUIRE(q.size() == kept.size());
  std::sort(kept.begin(), kept.end());
  std::vector<Key> popped;
  while (!q.empty()) popped.push_back(key_of(q.pop()));
  CHECK(popped == kept);
}

}  // namespace
}  // namespace cirrus::sim
