// exit_text: how a child process ended, from its waitpid status: "died with SIGSEGV",
// "exited with code 3". Used where cvpipe runs work in child processes (plugins check, isolated
// stages).
#pragma once
#include <string>

namespace cvpipe {

std::string exit_text(int wait_status);

}  // namespace cvpipe
