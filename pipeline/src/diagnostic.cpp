// Diagnostic formatting (see diagnostic.hpp).
#include "diagnostic.hpp"

#include <algorithm>

namespace cvpipe {

std::string format_error(const Location& where, const std::string& message) {
  const std::string at = where.str();
  return (at.empty() ? std::string("cvpipe") : at) + ": error: " + message;
}

std::string Diagnostic::str() const { return format_error(where, message); }

namespace {
constexpr size_t k_max_run = 256, k_run_head = 128, k_run_tail = 96, k_max_text = 16384;

bool is_blank(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }
bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }
// Moves `i` back to the start of the UTF-8 sequence it is in (never before `floor`).
size_t char_start(std::string_view s, size_t i, size_t floor) {
  while (i > floor && i < s.size() && is_continuation(s[i])) --i;
  return i;
}
}  // namespace

std::string capped_message(std::string_view text) {
  std::string out;
  out.reserve(std::min(text.size(), k_max_text + 64));
  size_t i = 0;
  while (i < text.size()) {
    size_t end = i;
    while (end < text.size() && !is_blank(text[end])) ++end;
    if (end - i > k_max_run) {
      const size_t head_end = char_start(text, i + k_run_head, i);
      const size_t tail_begin = char_start(text, end - k_run_tail, head_end);
      out.append(text.substr(i, head_end - i)).append("\u2026").append(text.substr(tail_begin, end - tail_begin));
    } else {
      out.append(text.substr(i, end - i));
    }
    i = end;
    while (i < text.size() && is_blank(text[i])) out += text[i++];
    if (out.size() > k_max_text) break;
  }
  const size_t unread = text.size() - i;
  if (out.size() > k_max_text) {
    const size_t cut = char_start(out, k_max_text, 0);
    const size_t more = out.size() - cut + unread;
    out.resize(cut);
    out += "\u2026 (" + std::to_string(more) + " more bytes)";
  }
  return out;
}

void Diagnostics::error(Location where, std::string message) {
  // The same problem reached twice (e.g. through an override and the file) is reported once.
  for (const auto& d : list_)
    if (d.message == message && d.where.str() == where.str()) return;
  list_.push_back({std::move(where), std::move(message)});
}

Status Diagnostics::to_status(StatusCode code, size_t max_lines) const {
  if (list_.empty()) return {};
  std::string text;
  for (size_t i = 0; i < list_.size() && i < max_lines; ++i) {
    if (i) text += '\n';
    text += list_[i].str();
  }
  if (list_.size() > max_lines)
    text += "\ncvpipe: error: (" + std::to_string(list_.size() - max_lines) + " more errors not shown)";
  return {code, text};
}

}  // namespace cvpipe
