// Shared helpers of the classify tests: parameter maps with schema defaults, temporary folders,
// tiny model files.
#pragma once
#include <filesystem>
#include <map>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "architectures.hpp"
#include "cvpipe/classify/model_spec.hpp"
#include "cvpipe/data.hpp"
#include "cvpipe/nn/checkpoint.hpp"
#include "cvpipe/nn/model_file.hpp"
#include "cvpipe/params.hpp"
#include "cvpipe/testing/status_matchers.hpp"

namespace cvpipe::classify::test {

// Schema defaults, then `set` on top (what the host does after validation).
inline Params make_params(const std::vector<ParamSpec>& schema, const std::map<std::string, ParamValue>& set = {}) {
  Params p;
  for (const auto& s : schema) {
    if (!s.default_value) continue;
    ParamValue v = *s.default_value;
    if (s.type == ParamType::number)
      if (auto i = std::get_if<int64_t>(&v)) v = static_cast<double>(*i);
    p.set(s.name, v);
  }
  for (const auto& [k, v] : set) {
    bool known = false;
    for (const auto& s : schema) known |= s.name == k;
    EXPECT_TRUE(known) << "test sets undeclared parameter " << k;
    p.set(k, v);
  }
  return p;
}

// A fresh folder under the system temp dir, removed at destruction.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::random_device rd;
    path = std::filesystem::temp_directory_path() / ("cvpipe_classify_test_" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

inline bool digits_available() { return std::filesystem::exists(cvpipe::data_dir() / "digits.png"); }

inline ModelSpec tiny_spec(const std::string& arch = "cnn", int size = 20, int classes = 10) {
  ModelSpec s;
  s.arch = arch;
  s.width = 4;
  s.dropout = 0.1f;
  s.input_width = s.input_height = size;
  s.mean = {0.13f};
  s.std = {0.29f};
  for (int i = 0; i < classes; ++i) s.class_names.push_back(std::to_string(i));
  return s;
}

// Writes a randomly initialised model of `weights_spec` with the metadata of `meta_spec`.
inline void write_model(const std::filesystem::path& file, const ModelSpec& weights_spec, const ModelSpec& meta_spec) {
  Network net;
  ASSERT_OK(build_network(weights_spec, 1, "test", net));
  const Status st = nn::save_model(file, *net.root, meta_spec.to_model_info());
  ASSERT_OK(st);
}

inline std::filesystem::path shipped_model() {
  return std::filesystem::path(CVPIPE_SOURCE_DIR) / "models" / "classify_digits.safetensors";
}

}  // namespace cvpipe::classify::test
