// StopSignals: while alive, SIGINT and SIGTERM set a flag instead of killing the process, so a
// run can stop reading, close its outputs and exit 130/143. A second signal of either kind
// kills the process the default way (for a run that does not stop). Restores the previous
// handlers on destruction. One instance at a time (the flag is process-wide).
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
  // 0 when no signal came, else SIGINT or SIGTERM.
  int signal_received() const;
  // 130 after SIGINT, 143 after SIGTERM, 0 without a signal.
  int exit_code() const;
};

}  // namespace cvpipe::cli
