// HostLogger: the Logger (cvpipe/log.hpp) the host hands to stages. Lines at `level` or more
// severe go to stderr as "cvpipe: LEVEL: WHO: MESSAGE", each in one write under a lock, so lines
// from stages on different threads never interleave.
#pragma once
#include <mutex>
#include <string>

#include "cvpipe/log.hpp"

namespace cvpipe {

class HostLogger final : public Logger {
 public:
  explicit HostLogger(LogLevel level = LogLevel::warning) : level_(level) {}
  bool enabled(LogLevel level) const override { return static_cast<int>(level) <= static_cast<int>(level_); }
  void write(LogLevel level, const std::string& who, const std::string& message) const override;
  LogLevel level() const { return level_; }

 private:
  LogLevel level_;
  mutable std::mutex mutex_;
};

// "error" | "warning" | "info" | "debug" -> level; false for anything else.
bool parse_log_level(const std::string& text, LogLevel& out);

}  // namespace cvpipe
