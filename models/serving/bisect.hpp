#pragma once
// The one search the serving estimates repeat (the smallest batch that carries a load, the
// fewest replicas that meet an SLO): bisection over a predicate that is false, then true.
namespace cirrus::models {

// The smallest n in [lo, hi] with ok(n), when ok is monotone and ok(hi) holds.
template <class Ok>
int smallest_with(int lo, int hi, Ok&& ok) {
  while (lo < hi) {
    const int mid = lo + (hi - lo) / 2;
    if (ok(mid)) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo;
}

}  // namespace cirrus::models
