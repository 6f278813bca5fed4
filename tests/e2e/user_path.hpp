// The user path against the measured path, for model plugins: items of a plugin's evaluation
// data are written as files, run through its shipped config with `cvpipe run CONFIG --input ...
// --output ...` (what a user types), and the metric computed from those outputs is compared
// with `cvpipe eval PLUGIN ... --json` on the same items. A new model plugin adds a
// tests/e2e/user_path_<plugin>_test.cpp (picked up by tests/e2e/CMakeLists.txt) using these.
// Failures are reported with ADD_FAILURE (the returned value is then empty); thread-compatible.
#pragma once
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "e2e_common.hpp"

namespace cvpipe::test {

// Runs `cvpipe run configs/<config> [--input INPUT] --output OUTPUT --quiet EXTRA...` in `cwd`
// (no --input when `input` is empty: a generate source); true when it exits 0.
inline bool run_shipped_config(const std::string& config, const std::string& input, const std::string& output,
                               const std::vector<std::string>& extra, const std::filesystem::path& cwd) {
  std::vector<std::string> args = {"run", (source_dir() / "configs" / config).string(), "--output", output, "--quiet"};
  if (!input.empty()) args.insert(args.begin() + 2, {"--input", input});
  args.insert(args.end(), extra.begin(), extra.end());
  const ProcessResult r = cvpipe(args, cwd, with_timeout(300));
  if (r.exit_code != 0) ADD_FAILURE() << "cvpipe run " << config << " failed:\n" << r.describe();
  return r.exit_code == 0;
}

// Runs `cvpipe eval PLUGIN ARGS... --json` in `cwd` and returns its JSON object (null on failure).
inline nlohmann::json eval_json(const std::string& plugin, const std::vector<std::string>& args,
                                const std::filesystem::path& cwd) {
  std::vector<std::string> argv = {"eval", plugin};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("--json");
  const ProcessResult r = cvpipe(argv, cwd, with_timeout(300));
  if (r.exit_code != 0) {
    ADD_FAILURE() << "cvpipe eval " << plugin << " failed:\n" << r.describe();
    return nullptr;
  }
  try {
    return nlohmann::json::parse(r.out);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "cvpipe eval " << plugin << ": stdout is not one JSON object (" << e.what() << "):\n" << r.out;
    return nullptr;
  }
}

// The objects of a jsonl file, one per line.
inline std::vector<nlohmann::json> read_jsonl(const std::filesystem::path& file) {
  std::vector<nlohmann::json> lines;
  std::ifstream in(file);
  if (!in) ADD_FAILURE() << "no output file " << file;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

}  // namespace cvpipe::test
