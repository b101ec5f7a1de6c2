#include "common/atomic_write.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdlib.h>
#include <unistd.h>
#include <vector>

#include "common/input_error.hpp"

namespace cirrus {

void write_file_atomic(const std::string& path, std::string_view content) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  if (!dir.empty() && !fs::exists(dir, ec)) fs::create_directories(dir, ec);
  // The temporary lives in the target's directory so the rename stays on one file system.
  // (Built with append rather than operator+ to dodge a g++ 12 -Wrestrict false positive.)
  std::string leaf(".");
  leaf.append(target.filename().string()).append(".tmp-XXXXXX");
  std::string tmp = (dir / leaf).string();
  std::FILE* f = nullptr;
  {
    // mkstemp is POSIX; it avoids clobbering a concurrent writer's temporary.
    std::vector<char> name(tmp.begin(), tmp.end());
    name.push_back('\0');
    const int fd = ::mkstemp(name.data());
    if (fd < 0) throw IoError(path + ": cannot create a temporary file: " + std::strerror(errno));
    tmp.assign(name.data());
    f = ::fdopen(fd, "wb");
  }
  if (f == nullptr) throw IoError(path + ": cannot open for writing: " + std::strerror(errno));
  const bool ok = std::fwrite(content.data(), 1, content.size(), f) == content.size();
  const bool closed = std::fclose(f) == 0;
  if (!ok || !closed) {
    std::remove(tmp.c_str());
    throw IoError(path + ": write failed");
  }
  fs::permissions(tmp, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                           fs::perms::others_read,
                  ec);
  fs::rename(tmp, target, ec);
  if (ec) {
    std::remove(tmp.c_str());
    throw IoError(path + ": cannot rename into place: " + ec.message());
  }
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(path + ": cannot read: " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace cirrus
