// Helpers shared by the colorize / translate tests: temporary folders, synthetic colour pictures,
// tiny random networks and command parameters with their defaults.
#pragma once
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "colorize_net.hpp"
#include "cvpipe/nn/init.hpp"
#include "cvpipe/nn/random.hpp"
#include "cvpipe/plugin.hpp"
#include "lab.hpp"
#include "cvpipe/testing/status_matchers.hpp"

namespace cvpipe::colorize::testing {

struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& name) {
    path = std::filesystem::temp_directory_path() / ("cvpipe_colorize_" + name + "_" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

// A colourful 8-bit BGR picture: smooth colour gradients with a few coloured discs.
inline cv::Mat colour_picture(int width, int height, int seed) {
  cv::Mat img(height, width, CV_8UC3);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      img.at<cv::Vec3b>(y, x) = cv::Vec3b(static_cast<uchar>(255 * x / std::max(1, width - 1)),
                                          static_cast<uchar>((seed * 50 + 128 * y / std::max(1, height)) % 256),
                                          static_cast<uchar>(255 - 255 * y / std::max(1, height - 1)));
  std::mt19937 rng(seed);
  for (int i = 0; i < 4; ++i) {
    cv::circle(img, {static_cast<int>(rng() % width), static_cast<int>(rng() % height)}, 3 + static_cast<int>(rng() % 12),
               cv::Scalar(rng() % 256, rng() % 256, rng() % 256), cv::FILLED);
  }
  return img;
}

// A picture whose colour is a function of its lightness (dark blue .. bright orange) over a smooth
// random pattern: learnable from L alone, so a tiny training run must make progress on it.
inline cv::Mat lightness_coded_picture(int width, int height, int seed) {
  cv::Mat noise(height / 8 + 2, width / 8 + 2, CV_32F), t;
  cv::theRNG().state = static_cast<std::uint64_t>(seed) + 1;
  cv::randu(noise, 0.f, 1.f);
  cv::resize(noise, t, cv::Size(width, height), 0, 0, cv::INTER_CUBIC);
  cv::Mat img(height, width, CV_8UC3);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      const float v = std::clamp(t.at<float>(y, x), 0.f, 1.f);
      img.at<cv::Vec3b>(y, x) = cv::Vec3b(cv::saturate_cast<uchar>(120 * (1 - v) + 40 * v),
                                          cv::saturate_cast<uchar>(30 * (1 - v) + 180 * v),
                                          cv::saturate_cast<uchar>(10 * (1 - v) + 250 * v));
    }
  return img;
}

inline ChromaBins test_bins() {
  std::vector<cv::Mat> abs;
  for (int s = 0; s < 3; ++s) {
    cv::Mat lab;
    EXPECT_OK(to_lab(colour_picture(64, 48, s), lab));
    std::vector<cv::Mat> p;
    cv::split(lab, p);
    cv::Mat ab;
    cv::merge(std::vector<cv::Mat>{p[1], p[2]}, ab);
    abs.push_back(ab);
  }
  return ChromaBins::from_data(abs, 10.f, 1e-3, 0.5);
}

inline nn::UNetOptions tiny_unet() {
  nn::UNetOptions u;
  u.base_width = 4;
  u.max_width = 8;
  u.levels = 2;
  u.output_level = 1;
  return u;
}

// A small randomly initialised colorize network (the plumbing tests hold for any weights).
inline std::unique_ptr<ColorizeNet> random_colorize_net(int net_side = 32) {
  auto net = std::make_unique<ColorizeNet>(tiny_unet(), test_bins(), net_side, Decoding{});
  nn::Rng rng(7);
  nn::init_network(net->module(), nn::InitScheme::kaiming, rng);
  return net;
}

inline Params defaults(const std::vector<ParamSpec>& schema) {
  Params p;
  for (const auto& s : schema) p.set(s.name, *s.default_value);
  return p;
}

// Column `name` of a metrics CSV, rows with a value only.
inline std::vector<double> csv_column(const std::filesystem::path& csv, const std::string& name) {
  std::ifstream in(csv);
  std::string line;
  std::getline(in, line);
  std::vector<std::string> header;
  std::stringstream hs(line);
  for (std::string cell; std::getline(hs, cell, ',');) header.push_back(cell);
  const auto col = std::find(header.begin(), header.end(), name) - header.begin();
  std::vector<double> values;
  while (std::getline(in, line)) {
    std::stringstream ls(line);
    std::string cell;
    for (long i = 0; std::getline(ls, cell, ','); ++i)
      if (i == col && !cell.empty()) values.push_back(std::stod(cell));
  }
  return values;
}

}  // namespace cvpipe::colorize::testing
