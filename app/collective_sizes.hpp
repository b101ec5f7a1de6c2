#pragma once
// The message sizes of `cirrus collective --sizes`, spelled as nccl-tests spells them: "4096",
// "1K", "64M", "1G", "8GB" (powers of 1024, an optional trailing B), a comma-separated list, or
// a doubling range "1K..8G" (nccl-tests -b 1K -e 8G -f 2), or both mixed.
#include <string>
#include <vector>

namespace cirrus::app {

// In bytes, in the order given. Throws InputError (at "command line", --sizes) for an empty or
// malformed item, a size of 0, or a range whose low end is above its high end.
std::vector<double> parse_sizes(const std::string& list);

}  // namespace cirrus::app
