#include "common/input_error.hpp"

#include <fmt/format.h>

#include <new>
#include <utility>

namespace cirrus {
namespace {
std::string compose(const std::string& file, const std::string& path, const std::string& expected,
                    const std::string& found) {
  std::string msg = file.empty() ? std::string("<input>") : file;
  if (!path.empty()) msg += ": " + path;
  msg += ": expected " + expected;
  if (!found.empty()) msg += ", found " + found;
  return msg;
}
}  // namespace

InputError::InputError(std::string file, std::string path, std::string expected, std::string found)
    : std::runtime_error(compose(file, path, expected, found)),
      file_(std::move(file)),
      path_(std::move(path)),
      expected_(std::move(expected)),
      found_(std::move(found)) {}

ExitCode report_current_exception() {
  try {
    throw;
  } catch (const InputError& e) {
    fmt::print(stderr, "cirrus: {}\n", e.what());
    return kExitBadInput;
  } catch (const IoError& e) {
    fmt::print(stderr, "cirrus: {}\n", e.what());
    return kExitIo;
  } catch (const UsageError& e) {
    fmt::print(stderr, "cirrus: {}\n", e.what());
    return kExitUsage;
  } catch (const std::bad_alloc&) {
    // The limits (CONTRACT.md, "Limits") keep every accepted input within memory; this is the
    // backstop for a machine with less of it than the limits assume.
    fmt::print(stderr,
               "cirrus: out of memory: this input needs more memory than the machine has left "
               "(try a smaller cluster, batch or layer count)\n");
    return kExitBadInput;
  } catch (const std::exception& e) {
    fmt::print(stderr, "cirrus: internal error: {}\n", e.what());
    return kExitInternal;
  } catch (...) {
    fmt::print(stderr, "cirrus: internal error: an exception of unknown type\n");
    return kExitInternal;
  }
}

}  // namespace cirrus
