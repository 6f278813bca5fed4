// Diagnostic formatting (see diagnostic.hpp).
#include "diagnostic.hpp"

namespace cvpipe {

std::string format_error(const Location& where, const std::string& message) {
  const std::string at = where.str();
  return (at.empty() ? std::string("cvpipe") : at) + ": error: " + message;
}

std::string Diagnostic::str() const { return format_error(where, message); }

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
