#pragma once
// Errors that reach the user. Bad input is an InputError naming the file, the JSON path
// (dotted, e.g. `strategy.tp` or `rows[3].hidden`), what was expected and what was found.
// Only cli/ catches these; it prints `cirrus: FILE: PATH: expected ..., found ...` and exits 3.
#include <stdexcept>
#include <string>

namespace cirrus {

class InputError : public std::runtime_error {
 public:
  InputError(std::string file, std::string path, std::string expected, std::string found);

  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }
  const std::string& expected() const { return expected_; }
  const std::string& found() const { return found_; }

 private:
  std::string file_;
  std::string path_;
  std::string expected_;
  std::string found_;
};

// A file could not be read or written (exit status 5).
class IoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The command line was wrong (exit status 2).
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Exit statuses of CONTRACT.md.
enum ExitCode : int {
  kExitOk = 0,
  kExitExpectationFailed = 1,
  kExitUsage = 2,
  kExitBadInput = 3,
  kExitInfeasible = 4,
  kExitIo = 5,
  kExitInternal = 70,  // a bug: an exception no input should reach (EX_SOFTWARE)
};

// Call inside a catch block: prints the current exception as one line on stderr ("cirrus: ...")
// and returns its exit status: InputError 3, IoError 5, UsageError 2, std::bad_alloc 3 (the input
// needs more memory than is left: a backstop behind the limits), anything else an internal
// error (70). The one mapping both executables use (cirrus and cirrus-calibrate).
ExitCode report_current_exception();

}  // namespace cirrus
