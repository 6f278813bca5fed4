// Fatal-signal report: see crash_report.hpp.
#include "crash_report.hpp"

#include <csignal>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <vector>

#include <unistd.h>

namespace cvpipe {

namespace {

constexpr std::size_t kTextSize = 1024;
constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};

thread_local char t_texts[4][kTextSize];  // nested scopes (deeper ones reuse the last slot)
thread_local int t_depth = 0;
thread_local const char* t_current = nullptr;
thread_local bool t_altstack = false;

const char* signal_name(int sig) {
  switch (sig) {
    case SIGSEGV: return "SIGSEGV (invalid memory access)";
    case SIGBUS: return "SIGBUS (bus error)";
    case SIGFPE: return "SIGFPE (arithmetic error)";
    case SIGILL: return "SIGILL (illegal instruction)";
    case SIGABRT: return "SIGABRT (abort)";
    default: return "a fatal signal";
  }
}

void write_all(const char* s) {
  std::size_t n = std::strlen(s);
  while (n > 0) {
    const ssize_t w = ::write(STDERR_FILENO, s, n);
    if (w <= 0) return;
    s += w;
    n -= static_cast<std::size_t>(w);
  }
}

void on_fatal(int sig) {
  const char* what = t_current;
  if (what) {  // only a crash inside a plugin call is reported (the rest keeps its usual output)
    write_all("\ncvpipe: fatal: ");
    write_all(signal_name(sig));
    write_all(" in ");
    write_all(what);
    write_all("\n");
  }
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

void ensure_altstack() {
  if (t_altstack) return;
  t_altstack = true;
  static thread_local std::vector<char> stack(64 * 1024);
  stack_t ss{};
  ss.ss_sp = stack.data();
  ss.ss_size = stack.size();
  sigaltstack(&ss, nullptr);
}

}  // namespace

void install_crash_report() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction sa {};
    sa.sa_handler = on_fatal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_ONSTACK | SA_NODEFER;
    for (int sig : kSignals) sigaction(sig, &sa, nullptr);
  });
}

CrashScope::CrashScope(const std::string& what) : previous_(t_current) {
  ensure_altstack();
  char* slot = t_texts[t_depth < 3 ? t_depth : 3];
  std::snprintf(slot, kTextSize, "%s", what.c_str());
  ++t_depth;
  t_current = slot;
}

CrashScope::~CrashScope() {
  --t_depth;
  t_current = previous_;
}

}  // namespace cvpipe
