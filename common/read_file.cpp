#include "common/read_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/input_error.hpp"

namespace cirrus {
namespace {

// Closes the descriptor on every path out of read_file.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

[[noreturn]] void too_large(const std::string& path, std::uint64_t max_bytes,
                            const std::string& found) {
  throw InputError(path, "", fmt::format("a file of at most {}", byte_size_label(max_bytes)),
                   found);
}

}  // namespace

std::string byte_size_label(std::uint64_t bytes) {
  static constexpr const char* kUnits[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  std::size_t u = 0;
  while (v >= 1024 && u + 1 < std::size(kUnits)) {
    v /= 1024;
    ++u;
  }
  // Exact multiples in their unit; under 1 MiB, exact bytes (a bound of 2047 bytes must not read
  // as "2.0 KiB"); above, one decimal.
  if (u == 0 || (bytes < (1u << 20) && v != static_cast<double>(static_cast<std::uint64_t>(v)))) {
    return fmt::format("{} bytes", bytes);
  }
  return v == static_cast<double>(static_cast<std::uint64_t>(v))
             ? fmt::format("{} {}", static_cast<std::uint64_t>(v), kUnits[u])
             : fmt::format("{:.1f} {}", v, kUnits[u]);
}

std::string read_file(const std::string& path, std::uint64_t max_bytes) {
  // O_NONBLOCK: opening a FIFO nobody writes to would otherwise wait forever; once open, reads
  // block again (a FIFO without a writer then reads as empty).
  const Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK)};
  if (f.fd < 0) throw IoError(path + ": cannot read: " + std::strerror(errno));
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) throw IoError(path + ": cannot read: " + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) throw IoError(path + ": cannot read: is a directory");
  const int flags = ::fcntl(f.fd, F_GETFL);
  if (flags < 0 || ::fcntl(f.fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
    throw IoError(path + ": cannot read: " + std::strerror(errno));
  }
  std::string text;
  if (S_ISREG(st.st_mode)) {
    const auto size = static_cast<std::uint64_t>(st.st_size);
    if (size > max_bytes) too_large(path, max_bytes, byte_size_label(size));
    text.reserve(static_cast<std::size_t>(size));
  }
  // Read in blocks up to one byte past the bound: a file that grows while it is read, a pipe
  // or a device is refused as soon as it has shown to be too long.
  constexpr std::size_t kBlock = 1 << 16;
  for (;;) {
    const std::size_t have = text.size();
    const std::size_t want = static_cast<std::size_t>(
        std::min<std::uint64_t>(kBlock, max_bytes + 1 - static_cast<std::uint64_t>(have)));
    text.resize(have + want);
    const ssize_t n = ::read(f.fd, text.data() + have, want);
    if (n < 0) {
      if (errno == EINTR) {
        text.resize(have);
        continue;
      }
      throw IoError(path + ": cannot read: " + std::strerror(errno));
    }
    text.resize(have + static_cast<std::size_t>(n));
    if (n == 0) break;
    if (text.size() > max_bytes) too_large(path, max_bytes, "more than that");
  }
  return text;
}

}  // namespace cirrus
