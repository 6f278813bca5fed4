// Helpers shared by the denoise tests: sample photos, temporary folders and tiny random models.
#pragma once
#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "cvpipe/data.hpp"
#include "cvpipe/nn/init.hpp"
#include "cvpipe/nn/random.hpp"
#include "network.hpp"
#include "cvpipe/testing/status_matchers.hpp"

namespace cvpipe::denoise::testing {

inline cv::Mat photo(const std::string& name, int channels) {
  cv::Mat m = cv::imread((data_dir() / name).string(), channels == 1 ? cv::IMREAD_GRAYSCALE : cv::IMREAD_COLOR);
  EXPECT_FALSE(m.empty()) << "missing sample photo " << name;
  return m;
}

// A fresh folder under the test temp dir, removed by the destructor.
struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& name) {
    path = std::filesystem::temp_directory_path() /
           ("cvpipe_denoise_" + name + "_" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

// A small randomly initialised network (the tiling and plumbing tests hold for any weights).
inline std::unique_ptr<DenoiseNet> random_net(int channels, int features = 16, int depth = 5, std::uint64_t seed = 7) {
  NetConfig c;
  c.channels = channels;
  c.features = features;
  c.depth = depth;
  auto net = std::make_unique<DenoiseNet>(c);
  nn::Rng rng(seed);
  nn::init_network(net->module(), nn::InitScheme::kaiming, rng);
  return net;
}

// Writes a random model file and returns its path.
inline std::filesystem::path random_model_file(const std::filesystem::path& dir, int channels) {
  auto net = random_net(channels);
  const auto path = dir / (channels == 1 ? "tiny_gray.safetensors" : "tiny_color.safetensors");
  const Status st = net->save(path);
  EXPECT_OK(st);
  return path;
}

// The shipped model for `channels`, or an empty path when it has not been trained yet.
inline std::filesystem::path shipped_model(int channels) {
  const auto p = std::filesystem::path(CVPIPE_SOURCE_DIR) / "models" /
                 (channels == 1 ? "denoise_gray.safetensors" : "denoise_color.safetensors");
  return std::filesystem::exists(p) ? p : std::filesystem::path();
}

}  // namespace cvpipe::denoise::testing
