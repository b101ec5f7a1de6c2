// excerpt: file text as messages show it, short and printable.
#include <catch2/catch.hpp>
#include <string>

#include "common/excerpt.hpp"

TEST_CASE("excerpt keeps short text, cuts long text and hides control bytes", "[common]") {
  CHECK(cirrus::excerpt("55.04", 60, true) == "55.04");
  CHECK(cirrus::excerpt(std::string(100, 'x'), 10, true) == "xxxxxxx...");  // 7 + "..."
  CHECK(cirrus::excerpt("a\x1b[2J\xff", 60, true) == "a?[2J?");
  // UTF-8 kept when asked, and cut before a character, not inside it: "ééé" is 6 bytes.
  CHECK(cirrus::excerpt("\xc3\xa9\xc3\xa9\xc3\xa9", 6, false) == "\xc3\xa9\xc3\xa9\xc3\xa9");
  CHECK(cirrus::excerpt("ab\xc3\xa9\xc3\xa9\xc3\xa9", 6, false) == "ab...");
}
