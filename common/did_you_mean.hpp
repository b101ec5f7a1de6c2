#pragma once
// Suggests the closest known word for a misspelt key or preset name.
#include <string>
#include <string_view>
#include <vector>

namespace cirrus {

// Damerau-free Levenshtein distance (insert, delete, substitute), case-sensitive.
int edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word` if it is close enough to be a plausible typo
// (distance <= max(2, |word|/3)); failing that, the first candidate naming the same thing in
// other case or with more or less qualification at a word boundary ("azure:ND96isr_H100_v5" ->
// "azure:Standard_ND96isr_H100_v5"); else an empty string. Ties go to the earlier candidate.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

// " (did you mean 'x'?)" or "" — ready to append to a message.
std::string did_you_mean_suffix(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace cirrus
