// Diagnostic: one user-facing error that may point into a file. Its text is
// `FILE:LINE:COL: error: MESSAGE` when it has a location, else `cvpipe: error: MESSAGE`
// (docs/cli.md). Diagnostics collects several, so one run reports every problem found.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "cvpipe/status.hpp"
#include "spec.hpp"

namespace cvpipe {

struct Diagnostic {
  Location where;
  std::string message;
  std::string str() const;
};

class Diagnostics {
 public:
  void error(Location where, std::string message);
  bool empty() const { return list_.empty(); }
  size_t size() const { return list_.size(); }
  const std::vector<Diagnostic>& list() const { return list_; }
  // ok when empty; else `code` with every diagnostic's str(), one per line (at most `max_lines`).
  Status to_status(StatusCode code = StatusCode::invalid_argument, size_t max_lines = 20) const;

 private:
  std::vector<Diagnostic> list_;
};

// `cvpipe: error: MESSAGE`, or `LOCATION: error: MESSAGE` when where has a file.
std::string format_error(const Location& where, const std::string& message);

// Text bound for stderr: an untrusted value echoed in a message (a path, a YAML line) is shortened.
// Every run of non-blank characters longer than 256 bytes keeps its first 128 and last 96 bytes
// around a "…"; a text still longer than 16 KiB ends with "… (N more bytes)". UTF-8 sequences
// are never split. Texts within the bounds come back unchanged.
std::string capped_message(std::string_view text);

}  // namespace cvpipe
