// HostLogger: see host_logger.hpp.
#include "host_logger.hpp"

#include <cstdio>

#include "diagnostic.hpp"

namespace cvpipe {

void HostLogger::write(LogLevel level, const std::string& who, const std::string& message) const {
  if (!enabled(level)) return;
  const std::string line = capped_message("cvpipe: " + std::string(to_string(level)) + ": " + who + ": " + message) + "\n";
  std::lock_guard lock(mutex_);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

bool parse_log_level(const std::string& text, LogLevel& out) {
  for (LogLevel l : {LogLevel::error, LogLevel::warning, LogLevel::info, LogLevel::debug})
    if (text == to_string(l)) {
      out = l;
      return true;
    }
  return false;
}

}  // namespace cvpipe
