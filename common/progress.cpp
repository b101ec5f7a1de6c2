#include "common/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace cirrus {
namespace {

constexpr double kRedrawEveryS = 0.1;
constexpr int kBarWidth = 30;
constexpr int kLineWidth = 79;  // cleared with spaces on finish

double steady_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

std::string eta_text(double s) {
  if (!std::isfinite(s) || s < 0) return "--:--";
  const long total = std::lround(s);
  if (total >= 3600) {
    return fmt::format("{}:{:02d}:{:02d}", total / 3600, (total / 60) % 60, total % 60);
  }
  return fmt::format("{}:{:02d}", total / 60, total % 60);
}

ProgressBar::ProgressBar(bool enabled, std::FILE* out, bool force_draw, Clock clock)
    : draw_(enabled && out != nullptr && (force_draw || ::isatty(::fileno(out)) != 0)),
      out_(out),
      clock_(clock ? std::move(clock) : Clock(steady_seconds)) {
  if (draw_) start_s_ = clock_();
}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::update(const std::string& stage, double fraction, std::optional<double> eta_s) {
  if (!draw_) return;
  const double now = clock_();
  const double f = std::clamp(fraction, 0.0, 1.0);
  if (last_s_ >= 0 && now - last_s_ < kRedrawEveryS && f < 1.0) return;
  last_s_ = now;
  const double elapsed = now - start_s_;
  const double eta = eta_s ? *eta_s : f > 0 ? elapsed * (1 - f) / f : -1.0;
  const int filled = static_cast<int>(f * kBarWidth);
  fmt::print(out_, "\r  {:<20.20} [{}{}] {:3.0f}%  ETA {:<8}", stage,
             std::string(static_cast<std::size_t>(filled), '#'),
             std::string(static_cast<std::size_t>(kBarWidth - filled), '-'), f * 100,
             eta_text(eta));
  std::fflush(out_);
  drawn_ = true;
}

void ProgressBar::log(const std::string& line) {
  if (drawn_) fmt::print(out_, "\r{:<{}}\r", "", kLineWidth);
  fmt::print(out_, "{}\n", line);
  std::fflush(out_);
  drawn_ = false;
  last_s_ = -1;  // redraw at once
}

void ProgressBar::finish() {
  if (!drawn_) return;
  fmt::print(out_, "\r{:<{}}\r", "", kLineWidth);
  std::fflush(out_);
  drawn_ = false;
}

}  // namespace cirrus
