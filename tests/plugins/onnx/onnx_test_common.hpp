// Shared pieces of the onnx tests: the fixture models of make_fixtures.py (written once per test
// process into a temporary folder) and `cvpipe export` of a shipped model.
#pragma once
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "e2e/e2e_common.hpp"

namespace cvpipe::test {

// The folder holding make_fixtures.py's models (empty path, after a test failure, when the script failed).
inline const std::filesystem::path& onnx_fixtures() {
  static TempDir dir("cvpipe-onnx-fixtures");
  static const bool ok = [] {
    const ProcessResult r = run_process({CVPIPE_PYTHON, ONNX_FIXTURES_SCRIPT, dir.path().string()}, with_timeout(120));
    if (r.exit_code != 0) ADD_FAILURE() << "make_fixtures.py failed:\n" << r.describe();
    return r.exit_code == 0;
  }();
  static const std::filesystem::path none;
  return ok ? dir.path() : none;
}

// `cvpipe export models/<name>.safetensors --onnx <out> --check --json`; the JSON result (null on failure).
inline nlohmann::json export_shipped(const std::string& name, const std::filesystem::path& out) {
  const ProcessResult r = cvpipe({"export", (source_dir() / "models" / (name + ".safetensors")).string(), "--onnx",
                                  out.string(), "--check", "--json"},
                                 out.parent_path(), with_timeout(300));
  if (r.exit_code != 0) {
    ADD_FAILURE() << "cvpipe export " << name << " failed:\n" << r.describe();
    return nullptr;
  }
  return nlohmann::json::parse(r.out, nullptr, false);
}

}  // namespace cvpipe::test
