#include "common/excerpt.hpp"

namespace cirrus {

std::string excerpt(std::string_view text, std::size_t max, bool ascii_only) {
  std::string s(text.substr(0, max + 1));
  if (s.size() > max) {
    std::size_t cut = max >= 3 ? max - 3 : 0;
    // Text kept as UTF-8 is cut before a character, never inside one.
    while (!ascii_only && cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
    s = s.substr(0, cut) + "...";
  }
  for (char& c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F || (ascii_only && u >= 0x80)) c = '?';
  }
  return s;
}

}  // namespace cirrus
