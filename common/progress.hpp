#pragma once
// The one progress bar of every long command (plan's search and engine refinement, report,
// calibrate): one line on standard error, redrawn at most every 100 ms, with the stage, the
// fraction done and an ETA; nothing at all unless enabled and the stream is a terminal, so logs,
// pipes and CI output never carry it (`--no-progress` turns it off on a terminal too).
#include <chrono>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>

namespace cirrus {

class ProgressBar {
 public:
  using Clock = std::function<double()>;  // seconds, monotonic

  // Draws on `out` when `enabled` and `out` is a terminal (or `force_draw`, for tests).
  explicit ProgressBar(bool enabled, std::FILE* out = stderr, bool force_draw = false,
                       Clock clock = {});
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;
  ProgressBar(ProgressBar&&) = delete;
  ProgressBar& operator=(ProgressBar&&) = delete;

  // `fraction` of the whole, 0..1, in `stage`. The ETA is the time so far scaled by what is
  // left (elapsed x (1 - f) / f) unless the caller knows better (`eta_s`). Thread-compatible:
  // callers from several threads serialise their calls.
  void update(const std::string& stage, double fraction, std::optional<double> eta_s = {});
  // A line of its own above the bar (the bar is redrawn on the next update).
  void log(const std::string& line);
  // Clears the bar; called by the destructor.
  void finish();

  bool drawing() const { return draw_; }

 private:
  bool draw_;
  std::FILE* out_;
  Clock clock_;
  double start_s_ = 0;
  double last_s_ = -1;
  bool drawn_ = false;
};

// "1:05" for 65 s, "--:--" when unknown (negative or not finite), "12:03:00" past an hour.
std::string eta_text(double seconds);

}  // namespace cirrus
