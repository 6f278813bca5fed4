// "Did you mean" suggestions for misspelled keys, stage names and choices: the closest candidate
// by edit distance (optimal string alignment, case-insensitive), or by prefix, when close enough.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cvpipe {

// Edits (insert, delete, substitute, swap adjacent) needed to turn a into b; case-insensitive.
size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word`, when it is plausibly a typo of it; nullopt otherwise.
std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates);

// "; did you mean 'x'?" or "" (for appending to a message).
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

// "a, b, c" (each quoted when quote is true).
std::string join_names(const std::vector<std::string>& names, bool quote = false);

}  // namespace cvpipe
