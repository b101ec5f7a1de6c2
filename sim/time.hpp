#pragma once
// Simulated time: an integer count of picoseconds. Integer time makes event order exact and
// reruns byte-identical; 2^63 ps is about 106 days of simulated time, ample for one step.
#include <cmath>
#include <compare>
#include <cstdint>
#include <limits>

namespace cirrus::sim {

class Time {
 public:
  constexpr Time() = default;
  static constexpr Time ps(std::int64_t v) { return Time(v); }
  static constexpr Time zero() { return Time(0); }
  static constexpr Time max() { return Time(std::numeric_limits<std::int64_t>::max()); }
  // Rounds up so that a positive duration never becomes zero.
  static Time from_seconds(double s) {
    return Time(static_cast<std::int64_t>(std::ceil(s * 1e12)));
  }

  constexpr std::int64_t count() const { return ps_; }
  constexpr double seconds() const { return static_cast<double>(ps_) * 1e-12; }

  constexpr auto operator<=>(const Time&) const = default;
  constexpr Time operator+(Time o) const { return Time(ps_ + o.ps_); }
  constexpr Time operator-(Time o) const { return Time(ps_ - o.ps_); }
  constexpr Time& operator+=(Time o) {
    ps_ += o.ps_;
    return *this;
  }

 private:
  constexpr explicit Time(std::int64_t v) : ps_(v) {}
  std::int64_t ps_ = 0;
};

}  // namespace cirrus::sim
