// StopSignals: while alive, SIGINT, SIGTERM and SIGHUP (a closed terminal) set a flag instead of
// killing the process, so a run can stop reading, close its outputs and exit 130/143/129. A second
// signal of any of these kills the process the default way (for a run that does not stop).
// SIGXFSZ is ignored, so a write past a file-size limit fails and is reported like a full disk.
// Restores the previous handlers on destruction. One instance at a time (the flag is process-wide).
#pragma once
#include <atomic>

namespace cvpipe::cli {

class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  const std::atomic<bool>* flag() const;
  // 0 when no signal came, else SIGINT, SIGTERM or SIGHUP.
  int signal_received() const;
  // 128 + the signal (130 SIGINT, 143 SIGTERM, 129 SIGHUP), 0 without a signal.
  int exit_code() const;
};

}  // namespace cvpipe::cli
