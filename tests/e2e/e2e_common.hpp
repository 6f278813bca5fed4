// Helpers for the e2e tests: run the built `cvpipe` binary, find sample data, write configs.
#pragma once
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cvpipe/data.hpp"
#include "support/process.hpp"

namespace cvpipe::test {

inline const std::filesystem::path& source_dir() {
  static const std::filesystem::path dir = CVPIPE_SOURCE_DIR;
  return dir;
}

// Runs `cvpipe ARGS...` in `cwd` with a hard timeout; the test plugin folder is not on the path
// unless the caller passes --plugin-path.
inline ProcessResult cvpipe(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                            ProcessOptions options = {}) {
  std::vector<std::string> argv = {CVPIPE_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  options.cwd = cwd;
  if (options.timeout_s == ProcessOptions{}.timeout_s) options.timeout_s = 150;
  return run_process(argv, options);
}

// A sample file from the opencv-doc data folder; skips the test when it is missing.
#define CVPIPE_SAMPLE_OR_SKIP(var, name)                                          \
  const std::filesystem::path var = ::cvpipe::data_dir() / (name);                \
  if (!std::filesystem::exists(var)) GTEST_SKIP() << "sample data missing: " << var

inline void write_file(const std::filesystem::path& file, const std::string& text) {
  std::filesystem::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

}  // namespace cvpipe::test
