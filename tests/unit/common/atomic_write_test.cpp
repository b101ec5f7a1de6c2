// write_file_atomic: whole files through a rename, without breaking what the rename would replace.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "common/atomic_write.hpp"
#include "common/input_error.hpp"
#include "common/read_file.hpp"
#include "tests/unit/common/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;

using cirrus::testing::TempDir;

mode_t mode_of(const fs::path& p) {
  struct stat st {};
  ::stat(p.c_str(), &st);
  return st.st_mode & 07777;
}

int temporaries_in(const fs::path& dir) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().filename().string().find(".tmp-") != std::string::npos) ++n;
  }
  return n;
}

}  // namespace

TEST_CASE("atomic write: a new file gets 0666 less the umask, an existing one keeps its mode",
          "[common]") {
  TempDir d;
  const mode_t mask = ::umask(027);
  cirrus::write_file_atomic((d.path / "new.txt").string(), "a");
  CHECK(mode_of(d.path / "new.txt") == (0666 & ~027));
  ::umask(mask);
  const fs::path kept = d.path / "private.txt";
  cirrus::write_file_atomic(kept.string(), "old");
  ::chmod(kept.c_str(), 0600);
  cirrus::write_file_atomic(kept.string(), "new");
  CHECK(mode_of(kept) == 0600);
  CHECK(cirrus::read_file(kept.string()) == "new");
  CHECK(temporaries_in(d.path) == 0);
}

TEST_CASE("atomic write: a symbolic link is followed and stays a link", "[common]") {
  TempDir d;
  const fs::path target = d.path / "target.json";
  const fs::path link = d.path / "link.json";
  cirrus::write_file_atomic(target.string(), "old");
  fs::create_symlink("target.json", link);  // relative, as users make them
  cirrus::write_file_atomic(link.string(), "new");
  CHECK(fs::is_symlink(link));
  CHECK(cirrus::read_file(target.string()) == "new");
  // A dangling link creates its target.
  const fs::path dangling = d.path / "dangling.json";
  fs::create_symlink(d.path / "made.json", dangling);
  cirrus::write_file_atomic(dangling.string(), "made");
  CHECK(fs::is_symlink(dangling));
  CHECK(cirrus::read_file((d.path / "made.json").string()) == "made");
  // A loop is an IoError, not a hang.
  fs::create_symlink("loop-b", d.path / "loop-a");
  fs::create_symlink("loop-a", d.path / "loop-b");
  CHECK_THROWS_AS(cirrus::write_file_atomic((d.path / "loop-a").string(), "x"), cirrus::IoError);
}

TEST_CASE("atomic write: directories and devices are refused, not replaced", "[common]") {
  TempDir d;
  CHECK_THROWS_AS(cirrus::write_file_atomic(d.path.string(), "x"), cirrus::IoError);
  CHECK(fs::is_directory(d.path));
  CHECK_THROWS_WITH(cirrus::write_file_atomic("/dev/null", "x"),
                    Catch::Contains("/dev/null: is not a regular file"));
  CHECK(fs::is_character_file("/dev/null"));
  CHECK(temporaries_in(d.path) == 0);
}

TEST_CASE("atomic write: temporaries of writers that no longer run are removed", "[common]") {
  TempDir d;
  // pid 0x7fffffff is above Linux's pid_max: no such process. Our own pid is alive.
  const fs::path stale = d.path / ".out.txt.tmp-2147483647-abcdef";
  const fs::path live = d.path / (".out.txt.tmp-" + std::to_string(::getpid()) + "-abcdef");
  const fs::path other = d.path / ".other.txt.tmp-2147483647-abcdef";
  for (const auto& p : {stale, live, other}) std::ofstream(p) << "partial";
  cirrus::write_file_atomic((d.path / "out.txt").string(), "whole");
  CHECK_FALSE(fs::exists(stale));
  CHECK(fs::exists(live));   // a concurrent writer's, perhaps: left alone
  CHECK(fs::exists(other));  // another target's
}

TEST_CASE("atomic folder: a report folder changes as a whole", "[common]") {
  TempDir d;
  const fs::path dir = d.path / "report";
  cirrus::write_folder_atomic(dir.string(), {{"index.html", "one"}, {"summary.md", "one"}});
  CHECK(cirrus::read_file((dir / "index.html").string()) == "one");
  // Replaced in one step: a new folder (a new inode) with both files.
  struct stat before {};
  ::stat(dir.c_str(), &before);
  cirrus::write_folder_atomic(dir.string(), {{"index.html", "two"}, {"summary.md", "two"}});
  struct stat after {};
  ::stat(dir.c_str(), &after);
  CHECK(before.st_ino != after.st_ino);
  CHECK(cirrus::read_file((dir / "index.html").string()) == "two");
  CHECK(cirrus::read_file((dir / "summary.md").string()) == "two");
  // A folder with the user's own files is written into, file by file, never replaced.
  std::ofstream(dir / "notes.txt") << "mine";
  cirrus::write_folder_atomic(dir.string(), {{"index.html", "three"}});
  CHECK(cirrus::read_file((dir / "notes.txt").string()) == "mine");
  CHECK(cirrus::read_file((dir / "index.html").string()) == "three");
  CHECK(temporaries_in(d.path) == 0);
  CHECK(temporaries_in(dir) == 0);
  // A file where the folder should be is refused.
  cirrus::write_file_atomic((d.path / "plain").string(), "x");
  CHECK_THROWS_AS(cirrus::write_folder_atomic((d.path / "plain").string(), {{"a", "b"}}),
                  cirrus::IoError);
}
