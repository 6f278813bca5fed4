// exit_text: see exit_text.hpp.
#include "exit_text.hpp"

#include <sys/wait.h>

#include <cstring>

namespace cvpipe {

std::string exit_text(int wait_status) {
  if (WIFSIGNALED(wait_status)) {
    const int sig = WTERMSIG(wait_status);
    const char* abbrev = sigabbrev_np(sig);
    return "died with " + (abbrev ? "SIG" + std::string(abbrev) : "signal " + std::to_string(sig));
  }
  if (WIFEXITED(wait_status)) return "exited with code " + std::to_string(WEXITSTATUS(wait_status));
  return "ended";
}

}  // namespace cvpipe
