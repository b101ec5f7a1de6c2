#pragma once
// Text from an input file as a message or a derived file shows it: at most `max` bytes (longer
// text is cut, at a UTF-8 character boundary unless `ascii_only`, and ends in "..."), control
// characters as '?', and
// with `ascii_only` every non-ASCII byte as '?' too (for text that was never checked to be
// UTF-8). A megabyte-long line, a binary byte or a terminal escape sequence never reaches the
// terminal or a JSON writer.
#include <cstddef>
#include <string>
#include <string_view>

namespace cirrus {

std::string excerpt(std::string_view text, std::size_t max, bool ascii_only);

}  // namespace cirrus
