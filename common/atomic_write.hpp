#pragma once
// Files are written whole or not at all: content goes to a temporary file beside the target,
// which is then renamed over it. A failure throws IoError and leaves no partial file.
#include <string>
#include <string_view>

namespace cirrus {

void write_file_atomic(const std::string& path, std::string_view content);

// Reads a whole file; throws IoError naming the file when it cannot.
std::string read_file(const std::string& path);

}  // namespace cirrus
