// Diagnostic: one user-facing error that may point into a file. Its text is
// `FILE:LINE:COL: error: MESSAGE` when it has a location, else `cvpipe: error: MESSAGE`
// (docs/cli.md). Diagnostics collects several, so one run reports every problem found.
#pragma once
#include <string>
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

}  // namespace cvpipe
