// SIGINT/SIGTERM/SIGHUP -> stop flag; SIGXFSZ ignored (see stop_signal.hpp).
#include "stop_signal.hpp"

#include <csignal>

namespace cvpipe::cli {

namespace {
std::atomic<bool> g_stop{false};
volatile std::sig_atomic_t g_signal = 0;
struct sigaction g_old_int {}, g_old_term {}, g_old_hup {}, g_old_xfsz {};

void on_signal(int sig) {
  if (g_stop.load()) {
    // Second signal: give up on the clean stop.
    std::signal(sig, SIG_DFL);
    std::raise(sig);
    return;
  }
  g_signal = sig;
  g_stop.store(true);
}
}  // namespace

StopSignals::StopSignals() {
  g_stop.store(false);
  g_signal = 0;
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, &g_old_int);
  sigaction(SIGTERM, &sa, &g_old_term);
  sigaction(SIGHUP, &sa, &g_old_hup);
  // Past a file-size limit (ulimit -f) a write then fails with EFBIG, which the sink reports,
  // instead of the process dying with its outputs half written.
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  sigaction(SIGXFSZ, &ignore, &g_old_xfsz);
}

StopSignals::~StopSignals() {
  sigaction(SIGINT, &g_old_int, nullptr);
  sigaction(SIGTERM, &g_old_term, nullptr);
  sigaction(SIGHUP, &g_old_hup, nullptr);
  sigaction(SIGXFSZ, &g_old_xfsz, nullptr);
}

const std::atomic<bool>* StopSignals::flag() const { return &g_stop; }

int StopSignals::signal_received() const { return g_signal; }

int StopSignals::exit_code() const { return g_signal == 0 ? 0 : 128 + g_signal; }

}  // namespace cvpipe::cli
