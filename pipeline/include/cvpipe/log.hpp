// The host's logger, handed to every stage in StageContext::log: a stage reports what a user may
// want to know (a model it loaded, a fallback it took, a slow path) through it instead of printing.
// The host decides where lines go and which levels show (`cvpipe run --log-level LEVEL`, default
// warning): a line reads "cvpipe: LEVEL: stage 'NAME': MESSAGE" on stderr. Thread-safe: stages on
// different threads may log at once; a line is never interleaved with another.
#pragma once
#include <string>

namespace cvpipe {

enum class LogLevel { error = 0, warning = 1, info = 2, debug = 3 };

inline const char* to_string(LogLevel level) {
  switch (level) {
    case LogLevel::error: return "error";
    case LogLevel::warning: return "warning";
    case LogLevel::info: return "info";
    case LogLevel::debug: return "debug";
  }
  return "?";
}

class Logger {
 public:
  virtual ~Logger() = default;
  // Whether lines of `level` are shown (to skip building costly messages).
  virtual bool enabled(LogLevel level) const = 0;
  // `who` names the writer ("stage 'blur'"); the host adds the level and the line end.
  virtual void write(LogLevel level, const std::string& who, const std::string& message) const = 0;
};

}  // namespace cvpipe
