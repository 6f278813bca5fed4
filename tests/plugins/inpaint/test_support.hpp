// Helpers shared by the inpaint tests: sample photos, temporary folders and tiny random models.
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

namespace cvpipe::inpaint::testing {

inline cv::Mat photo(const std::string& name) {
  cv::Mat m = cv::imread((data_dir() / name).string(), cv::IMREAD_COLOR);
  EXPECT_FALSE(m.empty()) << "missing sample photo " << name;
  return m;
}

// A fresh folder under the temp dir, removed by the destructor.
struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& name) {
    path = std::filesystem::temp_directory_path() / ("cvpipe_inpaint_" + name + "_" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

inline nn::UNetOptions tiny_unet() {
  nn::UNetOptions o = default_unet();
  o.base_width = 8;
  o.max_width = 16;
  o.levels = 2;
  o.bottleneck_dilations = {2};
  return o;
}

// A small randomly initialised network (the plumbing tests hold for any weights).
inline std::unique_ptr<InpaintNet> random_net(std::uint64_t seed = 7) {
  auto net = std::make_unique<InpaintNet>(tiny_unet());
  nn::Rng rng(seed);
  nn::init_network(net->module(), nn::InitScheme::kaiming, rng);
  return net;
}

inline std::filesystem::path random_model_file(const std::filesystem::path& dir) {
  auto net = random_net();
  const auto path = dir / "tiny_inpaint.safetensors";
  const Status st = net->save(path);
  EXPECT_OK(st);
  return path;
}

// A noisy-textured test image of `type`.
inline cv::Mat random_image(cv::Size size, int type, std::uint64_t seed = 1) {
  cv::Mat m(size, type);
  cv::RNG rng(seed);
  rng.fill(m, cv::RNG::UNIFORM, 0, m.depth() == CV_16U ? 65536 : 256);
  return m;
}

// A mask with a box and a stroke, 255 = hole.
inline cv::Mat test_mask(cv::Size size) {
  cv::Mat m = cv::Mat::zeros(size, CV_8UC1);
  cv::rectangle(m, cv::Rect(size.width / 4, size.height / 4, size.width / 5 + 1, size.height / 6 + 1), cv::Scalar(255), cv::FILLED);
  cv::line(m, {0, size.height - 3}, {size.width - 1, size.height / 2}, cv::Scalar(255), 3);
  return m;
}

}  // namespace cvpipe::inpaint::testing
