// Edit distance and "did you mean" suggestions (see suggest.hpp).
#include "suggest.hpp"

#include <algorithm>
#include <cctype>

namespace cvpipe {

namespace {
char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (prefix.size() > s.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (lower(s[i]) != lower(prefix[i])) return false;
  return true;
}
}  // namespace

size_t edit_distance(std::string_view a, std::string_view b) {
  const size_t n = a.size(), m = b.size();
  std::vector<std::vector<size_t>> d(n + 1, std::vector<size_t>(m + 1));
  for (size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= m; ++j) {
      const size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) && lower(a[i - 2]) == lower(b[j - 1]))
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[n][m];
}

std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  if (word.empty() || candidates.empty()) return std::nullopt;
  // Typos: allow about one edit per three characters (at least one, at most three).
  const size_t limit = std::clamp<size_t>((word.size() + 2) / 3, 1, 3);
  std::optional<std::string> best;
  size_t best_d = limit + 1;
  for (const auto& c : candidates) {
    const size_t d = edit_distance(word, c);
    if (d < best_d) { best_d = d; best = c; }
  }
  if (best) return best;
  // Abbreviations: "gauss" -> "gaussian_blur", when exactly one candidate starts with the word.
  if (word.size() >= 3) {
    std::optional<std::string> only;
    for (const auto& c : candidates) {
      if (starts_with_ci(c, word)) {
        if (only) return std::nullopt;
        only = c;
      }
    }
    return only;
  }
  return std::nullopt;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  auto m = closest_match(word, candidates);
  return m ? "; did you mean '" + *m + "'?" : std::string();
}

std::string join_names(const std::vector<std::string>& names, bool quote) {
  std::string s;
  for (const auto& n : names) {
    if (!s.empty()) s += ", ";
    s += quote ? "'" + n + "'" : n;
  }
  return s;
}

}  // namespace cvpipe
