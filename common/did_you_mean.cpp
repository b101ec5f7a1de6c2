#include "common/did_you_mean.hpp"

#include <algorithm>
#include <cctype>
#include <numeric>

namespace cirrus {

int edit_distance(std::string_view a, std::string_view b) {
  std::vector<int> row(b.size() + 1);
  std::iota(row.begin(), row.end(), 0);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    int diagonal = row[0];
    row[0] = static_cast<int>(i);
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const int above = row[j];
      const int substitute = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitute});
      diagonal = above;
    }
  }
  return row[b.size()];
}

namespace {

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// `longer` is `shorter` with more qualification in front, at a word boundary
// ("Standard_ND96isr_H100_v5" for "ND96isr_H100_v5"), ignoring case.
bool qualified_form(std::string_view longer, std::string_view shorter) {
  if (shorter.size() < 4 || longer.size() <= shorter.size()) return false;
  const std::size_t cut = longer.size() - shorter.size();
  const char before = longer[cut - 1];
  return (before == '_' || before == '-' || before == '.') && iequal(longer.substr(cut), shorter);
}

// A candidate naming the same thing in other case or with more or less qualification: ids such
// as "azure:Standard_ND96isr_H100_v5" are typed "azure:ND96isr_H100_v5" or "nd96isr_h100_v5",
// too far apart for the edit distance. The "provider:" part, when the word has one, must match.
std::string same_name(std::string_view word, const std::vector<std::string>& candidates) {
  const std::size_t wc = word.rfind(':');
  const std::string_view wprefix = wc == std::string_view::npos ? "" : word.substr(0, wc);
  const std::string_view wname = wc == std::string_view::npos ? word : word.substr(wc + 1);
  for (const auto& c : candidates) {
    const std::string_view cand = c;
    const std::size_t cc = cand.rfind(':');
    const std::string_view cprefix = cc == std::string_view::npos ? "" : cand.substr(0, cc);
    const std::string_view cname = cc == std::string_view::npos ? cand : cand.substr(cc + 1);
    if (wc != std::string_view::npos && !iequal(wprefix, cprefix)) continue;
    if (iequal(cname, wname) || qualified_form(cname, wname) || qualified_form(wname, cname)) {
      return c;
    }
  }
  return {};
}

}  // namespace

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  const int limit = std::max(2, static_cast<int>(word.size()) / 3);
  int best = limit + 1;
  std::string choice;
  for (const auto& c : candidates) {
    const int d = edit_distance(word, c);
    if (d < best) {
      best = d;
      choice = c;
    }
  }
  return choice.empty() ? same_name(word, candidates) : choice;
}

std::string did_you_mean_suffix(std::string_view word, const std::vector<std::string>& candidates) {
  const std::string s = did_you_mean(word, candidates);
  return s.empty() ? std::string() : " (did you mean '" + s + "'?)";
}

}  // namespace cirrus
