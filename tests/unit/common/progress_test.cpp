// The progress bar: throttled to one redraw per 100 ms (the last one always drawn), an ETA of
// elapsed x (1 - f) / f, nothing at all when disabled or not on a terminal.
#include "common/progress.hpp"

#include <catch2/catch.hpp>
#include <cstdio>
#include <string>

namespace {

std::string contents(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string s;
  char buf[512];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
  return s;
}

std::size_t redraws(const std::string& s) {
  std::size_t n = 0;
  for (auto at = s.find("ETA"); at != std::string::npos; at = s.find("ETA", at + 3)) ++n;
  return n;
}

}  // namespace

TEST_CASE("progress bar: throttled, with an ETA from the time so far", "[common]") {
  std::FILE* f = std::tmpfile();
  REQUIRE(f != nullptr);
  double now = 100.0;
  {
    cirrus::ProgressBar bar(true, f, true, [&now] { return now; });
    now = 110.0;
    bar.update("searching", 0.25);  // 10 s for a quarter: 30 s left
    now = 110.05;
    bar.update("searching", 0.30);  // within 100 ms: not drawn
    now = 130.0;
    bar.update("refining", 0.5, 75.0);  // the caller's ETA wins
    now = 130.01;
    bar.update("refining", 1.0);  // the end is always drawn
  }
  const std::string s = contents(f);
  std::fclose(f);
  CHECK(redraws(s) == 3);
  CHECK(s.find("ETA 0:30") != std::string::npos);
  CHECK(s.find(" 30%") == std::string::npos);
  CHECK(s.find("ETA 1:15") != std::string::npos);
  CHECK(s.find("100%") != std::string::npos);
  CHECK(s.back() == '\r');  // cleared at the end: the next output starts on a clean line
}

TEST_CASE("progress bar: disabled or not a terminal, it writes nothing", "[common]") {
  std::FILE* f = std::tmpfile();
  REQUIRE(f != nullptr);
  {
    cirrus::ProgressBar off(false, f, true);
    off.update("searching", 0.5);
    cirrus::ProgressBar not_tty(true, f);  // a temporary file is no terminal
    not_tty.update("searching", 0.5);
    CHECK_FALSE(not_tty.drawing());
  }
  CHECK(contents(f).empty());
  std::fclose(f);
}

TEST_CASE("eta text", "[common]") {
  CHECK(cirrus::eta_text(65) == "1:05");
  CHECK(cirrus::eta_text(3725) == "1:02:05");
  CHECK(cirrus::eta_text(-1) == "--:--");
}
