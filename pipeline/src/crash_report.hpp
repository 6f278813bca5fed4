// Fatal-signal report: when a plugin crashes the process (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT),
// the last line on stderr names what was running on the crashing thread, e.g.
//   cvpipe: fatal: SIGSEGV in stage 'blur' (gaussian_blur) process() of frame 12 (a.png), plugin /x/libcvpipe_imgproc.so
// then the signal's default action ends the process as before (exit status 128 + signal).
// CrashScope marks the calling thread's plugin call; it formats its text up front, so the handler
// only copies bytes with write(2) (async-signal-safe). Each thread that enters a scope gets an
// alternate signal stack, so a stack overflow inside a stage is reported too. Scopes nest (the
// innermost wins) and are cheap (one snprintf).
#pragma once
#include <cstdint>
#include <string>

namespace cvpipe {

// Installs the handlers once per process (idempotent, thread-safe).
void install_crash_report();

class CrashScope {
 public:
  // `what`: e.g. "stage 'blur' (gaussian_blur) process() of frame 12 (a.png), plugin FILE".
  explicit CrashScope(const std::string& what);
  ~CrashScope();
  CrashScope(const CrashScope&) = delete;
  CrashScope& operator=(const CrashScope&) = delete;

 private:
  const char* previous_;
};

}  // namespace cvpipe
