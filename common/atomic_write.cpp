#include "common/atomic_write.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdio.h>
#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <vector>

#include "common/input_error.hpp"

namespace cirrus {
namespace {

namespace fs = std::filesystem;

// The temporaries being written, for the signal handler: fixed slots of plain characters,
// since a handler may only touch lock-free state and call async-signal-safe functions (unlink).
constexpr std::size_t kSlots = 8;
constexpr std::size_t kPathMax = 4096;
std::array<std::array<char, kPathMax>, kSlots> g_tmp_paths{};
std::array<std::atomic<bool>, kSlots> g_tmp_used{};

extern "C" void remove_temporaries_and_reraise(int sig) {
  for (std::size_t i = 0; i < kSlots; ++i) {
    if (g_tmp_used[i].load()) ::unlink(g_tmp_paths[i].data());
  }
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

void install_handlers_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    for (const int sig : {SIGINT, SIGTERM, SIGHUP}) {
      struct sigaction old {};
      ::sigaction(sig, nullptr, &old);
      if (old.sa_handler != SIG_DFL) continue;  // ignored or handled by someone else: keep it
      struct sigaction sa {};
      sa.sa_handler = remove_temporaries_and_reraise;
      ::sigemptyset(&sa.sa_mask);
      ::sigaction(sig, &sa, nullptr);
    }
  });
}

// Registers a temporary for removal on a signal for as long as it lives.
class TemporaryGuard {
 public:
  explicit TemporaryGuard(const std::string& path) {
    install_handlers_once();
    if (path.size() >= kPathMax) return;
    for (std::size_t i = 0; i < kSlots; ++i) {
      bool expected = false;
      if (!g_tmp_used[i].compare_exchange_strong(expected, true)) continue;
      std::memcpy(g_tmp_paths[i].data(), path.c_str(), path.size() + 1);
      slot_ = i;
      return;
    }
  }
  ~TemporaryGuard() {
    if (slot_ < kSlots) g_tmp_used[slot_].store(false);
  }
  TemporaryGuard(const TemporaryGuard&) = delete;
  TemporaryGuard& operator=(const TemporaryGuard&) = delete;

 private:
  std::size_t slot_ = kSlots;
};

mode_t current_umask() {
  const mode_t m = ::umask(0);
  ::umask(m);
  return m;
}

// Removes ".<leaf>.tmp-<pid>-XXXXXX" files of `dir` whose writer no longer runs.
void remove_stale_temporaries(const fs::path& dir, const std::string& leaf) {
  const std::string prefix = "." + leaf + ".tmp-";
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() <= prefix.size() + 7 || name.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string rest = name.substr(prefix.size());
    const std::size_t dash = rest.find('-');
    if (dash == std::string::npos || dash == 0 || rest.size() - dash - 1 != 6) continue;
    char* end_ptr = nullptr;
    const long pid = std::strtol(rest.c_str(), &end_ptr, 10);
    if (end_ptr != rest.c_str() + dash || pid <= 0) continue;
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;  // still running
    std::error_code rm;
    fs::remove_all(it->path(), rm);
  }
}

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw IoError(path + ": " + what);
}

}  // namespace

std::string write_target(const std::string& path) {
  fs::path p(path);
  for (int hops = 0;; ++hops) {
    std::error_code ec;
    if (!fs::is_symlink(p, ec)) return p.string();
    if (hops == 40) fail(path, "too many levels of symbolic links");
    const fs::path link = fs::read_symlink(p, ec);
    if (ec) fail(path, "cannot read the symbolic link: " + ec.message());
    p = link.is_absolute() ? link : p.parent_path() / link;
  }
}

void write_file_atomic(const std::string& path, std::string_view content) {
  const fs::path target(write_target(path));
  std::error_code ec;
  struct stat st {};
  mode_t mode = 0666 & ~current_umask();
  if (::stat(target.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) fail(path, "is a directory; expected a file to write");
    if (!S_ISREG(st.st_mode)) {
      fail(path,
           "is not a regular file (a device, FIFO or socket); cirrus replaces files whole, "
           "so write to standard output and redirect it there instead");
    }
    mode = st.st_mode & 07777;
  }
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  if (!fs::exists(dir, ec)) fs::create_directories(dir, ec);
  const std::string leaf = target.filename().string();
  remove_stale_temporaries(dir, leaf);
  // The temporary lives in the target's directory so the rename stays on one file system; the
  // writer's pid in its name tells a later write whether it is stale.
  std::string tmp =
      (dir / ("." + leaf + ".tmp-" + std::to_string(::getpid()) + "-XXXXXX")).string();
  std::vector<char> name(tmp.begin(), tmp.end());
  name.push_back('\0');
  const int fd = ::mkstemp(name.data());
  if (fd < 0) fail(path, std::string("cannot create a temporary file: ") + std::strerror(errno));
  tmp.assign(name.data());
  const TemporaryGuard guard(tmp);
  auto abandon = [&](const std::string& what) {
    const int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    fail(path, what + (err != 0 ? std::string(": ") + std::strerror(err) : std::string()));
  };
  errno = 0;
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) abandon("write failed");
    done += static_cast<std::size_t>(n);
  }
  if (::fchmod(fd, mode) != 0) abandon("cannot set the file's mode");
  if (::fsync(fd) != 0) abandon("cannot flush to disk");
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    fail(path, std::string("write failed: ") + std::strerror(err));
  }
  if (::rename(tmp.c_str(), target.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    fail(path, std::string("cannot rename into place: ") + std::strerror(err));
  }
  // The rename itself reaches the disk with the directory.
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

void write_folder_atomic(const std::string& dir,
                         const std::vector<std::pair<std::string, std::string>>& files) {
  const fs::path target(write_target(dir));
  std::error_code ec;
  const bool exists = fs::exists(target, ec);
  if (exists && !fs::is_directory(target, ec)) fail(dir, "exists and is not a folder");
  bool only_ours = true;
  if (exists) {
    for (fs::directory_iterator it(target, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string name = it->path().filename().string();
      bool known = false;
      for (const auto& f : files) known = known || f.first == name;
      only_ours = only_ours && known;
    }
    if (ec) fail(dir, "cannot list the folder: " + ec.message());
  }
  if (!only_ours) {
    for (const auto& [name, content] : files) write_file_atomic((target / name).string(), content);
    return;
  }
  const fs::path parent = target.has_parent_path() ? target.parent_path() : fs::path(".");
  fs::create_directories(parent, ec);
  const std::string leaf = target.filename().string();
  remove_stale_temporaries(parent, leaf);
  std::string tmpl =
      (parent / ("." + leaf + ".tmp-" + std::to_string(::getpid()) + "-XXXXXX")).string();
  if (::mkdtemp(tmpl.data()) == nullptr) {
    fail(dir, std::string("cannot create a temporary folder: ") + std::strerror(errno));
  }
  const fs::path tmp(tmpl);
  try {
    for (const auto& [name, content] : files) write_file_atomic((tmp / name).string(), content);
    struct stat st {};
    const mode_t mode = exists && ::stat(target.c_str(), &st) == 0 ? (st.st_mode & 07777)
                                                                   : (0777 & ~current_umask());
    ::chmod(tmp.c_str(), mode);
    const int rc =
        exists ? ::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE)
               : ::rename(tmp.c_str(), target.c_str());
    if (rc != 0)
      fail(dir, std::string("cannot move the folder into place: ") + std::strerror(errno));
  } catch (...) {
    fs::remove_all(tmp, ec);
    throw;
  }
  fs::remove_all(tmp, ec);  // after the exchange: the old folder
}

}  // namespace cirrus
