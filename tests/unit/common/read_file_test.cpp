// read_file: whole files, bounded, so that /dev/zero or a mistaken huge file costs a stat or a
// bounded read and never all the memory.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "common/input_error.hpp"
#include "common/read_file.hpp"
#include "tests/unit/common/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;

using cirrus::testing::TempDir;

std::string message_of(const std::string& path, std::uint64_t max) {
  try {
    (void)cirrus::read_file(path, max);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("read_file reads a file whole, up to and at its bound", "[common][read_file]") {
  TempDir dir;
  const std::string p = (dir.path / "a.json").string();
  std::ofstream(p, std::ios::binary) << std::string(1000, 'x') << '\0' << "tail";
  CHECK(cirrus::read_file(p).size() == 1005);
  CHECK(cirrus::read_file(p, 1005).size() == 1005);  // exactly at the bound: read
  const std::string empty = (dir.path / "empty.json").string();
  std::ofstream(empty).close();
  CHECK(cirrus::read_file(empty).empty());
}

TEST_CASE("read_file refuses a file over its bound before reading it", "[common][read_file]") {
  TempDir dir;
  const std::string p = (dir.path / "big.json").string();
  std::ofstream(p, std::ios::binary) << std::string(2048, 'x');
  CHECK_THROWS_AS(cirrus::read_file(p, 2047), cirrus::InputError);
  CHECK(message_of(p, 2047) == p + ": expected a file of at most 2047 bytes, found 2 KiB");
  // A sparse 20 GiB file: refused from its size, in no time and no memory.
  const std::string sparse = (dir.path / "sparse.json").string();
  std::ofstream(sparse).close();
  fs::resize_file(sparse, 20ull << 30);
  CHECK(message_of(sparse, cirrus::kMaxInputBytes) ==
        sparse + ": expected a file of at most 16 MiB, found 20 GiB");
}

TEST_CASE("read_file stops an endless device or pipe at the bound", "[common][read_file]") {
  // /dev/zero never ends: 1 MiB + 1 byte is read, then the refusal.
  CHECK(message_of("/dev/zero", 1 << 20) ==
        "/dev/zero: expected a file of at most 1 MiB, found more than that");
  CHECK(cirrus::read_file("/dev/null").empty());
}

TEST_CASE("read_file names the file it cannot read", "[common][read_file]") {
  TempDir dir;
  CHECK_THROWS_AS(cirrus::read_file((dir.path / "absent.json").string()), cirrus::IoError);
  CHECK(message_of(dir.path.string(), 100) == dir.path.string() + ": cannot read: is a directory");
}

TEST_CASE("byte_size_label prints the bounds' sizes", "[common][read_file]") {
  CHECK(cirrus::byte_size_label(0) == "0 bytes");
  CHECK(cirrus::byte_size_label(1023) == "1023 bytes");
  CHECK(cirrus::byte_size_label(1536) == "1536 bytes");
  CHECK(cirrus::byte_size_label(2048) == "2 KiB");
  CHECK(cirrus::byte_size_label((17u << 20) + 2) == "17.0 MiB");
  CHECK(cirrus::byte_size_label(16ull << 20) == "16 MiB");
  CHECK(cirrus::byte_size_label(8ull << 30) == "8 GiB");
}

TEST_CASE("read_file does not wait for a FIFO nobody writes to", "[common][read_file]") {
  TempDir dir;
  const std::string fifo = (dir.path / "pipe.json").string();
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK(cirrus::read_file(fifo).empty());  // no writer: empty, at once
}
