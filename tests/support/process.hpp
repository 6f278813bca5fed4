// Running programs from tests (the built `cvpipe` binary in e2e tests): fork/exec with stdout
// and stderr captured to files (no pipe deadlocks), extra environment variables, a working
// folder and a hard timeout after which the whole process group is killed, so a hanging program
// fails its test instead of the suite. TempDir: a fresh folder removed (recursively) on
// destruction unless $CVPIPE_KEEP_TEST_FILES is set.
#pragma once
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace cvpipe::test {

struct ProcessResult {
  int exit_code = -1;     // the exit status; 128+N when killed by signal N; -1 when it never ran
  bool timed_out = false;
  double seconds = 0;
  std::string out, err;   // captured stdout and stderr
  std::string describe() const;  // exit code, time and both streams, for assertion messages
};

struct ProcessOptions {
  double timeout_s = 120;
  std::vector<std::pair<std::string, std::string>> env;  // set (or, with an empty value, unset)
  std::filesystem::path cwd;                             // empty: the current folder
};

inline ProcessOptions with_timeout(double seconds) {
  ProcessOptions o;
  o.timeout_s = seconds;
  return o;
}

ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options = {});

// A program running in the background (e.g. a local HTTP server for stream tests); killed with
// its process group on stop() or destruction. Output goes to /dev/null.
class BackgroundProcess {
 public:
  BackgroundProcess() = default;
  ~BackgroundProcess() { stop(); }
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;
  bool start(const std::vector<std::string>& argv, const std::filesystem::path& cwd = {});
  bool running() const;
  void stop();
  // Sends `sig` to the program itself (not its group); false when none was started.
  bool signal(int sig) const;
  // Waits up to `timeout_s` for the program to exit: its wait status, or -1 while it still runs.
  int wait_exit(double timeout_s);

 private:
  int pid_ = -1;
};

// A TCP port on 127.0.0.1 that was free a moment ago (0 when none could be found).
int free_local_port();
// True once something accepts connections on 127.0.0.1:port (polls until timeout_s).
bool wait_for_port(int port, double timeout_s);

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "cvpipe-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// Files (not folders) directly inside `dir`, names sorted; hidden ones included.
std::vector<std::string> list_files(const std::filesystem::path& dir);
std::string read_text(const std::filesystem::path& file);

}  // namespace cvpipe::test
