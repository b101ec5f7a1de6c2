#include "sim/event_queue.hpp"

namespace cirrus::sim {

namespace {
constexpr std::size_t kArity = 4;
}  // namespace

void EventQueue::sift_up(std::size_t i) {
  const Event item = heap_[i];
  while (i > 0) {
    const std::size_t parent = (i - 1) / kArity;
    if (!before(item, heap_[parent])) break;
    heap_[i] = heap_[parent];
    i = parent;
  }
  heap_[i] = item;
}

void EventQueue::sift_down(std::size_t i, const Event& item) const {
  const std::size_t n = heap_.size();
  for (;;) {
    const std::size_t first = i * kArity + 1;
    if (first >= n) break;
    // A plain loop over the children compiles to conditional moves; unrolling it into
    // branches measured slower (the branches mispredict).
    std::size_t best = first;
    const std::size_t end = first + kArity < n ? first + kArity : n;
    for (std::size_t c = first + 1; c < end; ++c) {
      if (before(heap_[c], heap_[best])) best = c;
    }
    if (!before(heap_[best], item)) break;
    heap_[i] = heap_[best];
    i = best;
  }
  heap_[i] = item;
}

void EventQueue::heapify() {
  // Floyd's bottom-up construction: sift each internal node down, last parent first.
  const std::size_t n = heap_.size();
  if (n < 2) return;
  for (std::size_t i = (n - 2) / kArity + 1; i-- > 0;) sift_down(i, Event(heap_[i]));
}

}  // namespace cirrus::sim
