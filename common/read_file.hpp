#pragma once
// Reading an input file whole, with a bound on its size: a scenario, catalog, profile or log
// is refused before it is parsed when it is larger than any real one could be, so that
// /dev/zero, a FIFO or a mistaken 20 GB file costs a stat or a bounded read, never all the
// machine's memory (CONTRACT.md, "Limits").
#include <cstdint>
#include <string>

namespace cirrus {

// The bound for the JSON and text inputs cirrus reads (scenarios, catalogs, profiles, validation
// sets, nccl-tests logs, Vidur's CSV tables): the largest of them shipped is under 1 MiB.
inline constexpr std::uint64_t kMaxInputBytes = 16ull << 20;  // 16 MiB
// The bound for the providers' price files (`catalog import`): AWS's EC2 offer file of one
// region is a few hundred MB; all regions at once, several GB.
inline constexpr std::uint64_t kMaxPriceFileBytes = 8ull << 30;  // 8 GiB

// Reads the whole file at `path`. Throws IoError naming the file when it cannot be read (absent,
// unreadable, a directory) and InputError naming the file and the bound when it holds more than
// `max_bytes` (a regular file is measured before it is read; a pipe or device is read up to the
// bound and no further).
std::string read_file(const std::string& path, std::uint64_t max_bytes = kMaxInputBytes);

// "16 MiB", "8 GiB", "1.5 KiB": a byte count as the bounds' messages print it.
std::string byte_size_label(std::uint64_t bytes);

}  // namespace cirrus
