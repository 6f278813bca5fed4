// PSNR and SSIM against hand-computed values.
#include <gtest/gtest.h>

#include <cmath>

#include "metrics.hpp"
#include "test_support.hpp"

namespace cvpipe::denoise {
namespace {

TEST(Metrics, PsnrOfKnownError) {
  cv::Mat a(10, 10, CV_8UC1, cv::Scalar(100)), b(10, 10, CV_8UC1, cv::Scalar(110));
  EXPECT_NEAR(psnr(a, b), 10 * std::log10(255.0 * 255.0 / 100.0), 1e-9);
  EXPECT_TRUE(std::isinf(psnr(a, a)));
  cv::Mat c(10, 10, CV_8UC3, cv::Scalar(100, 100, 100)), d(10, 10, CV_8UC3, cv::Scalar(104, 100, 100));
  EXPECT_NEAR(psnr(c, d), 10 * std::log10(255.0 * 255.0 / (16.0 / 3.0)), 1e-9);
}

TEST(Metrics, SsimIsOneForIdenticalAndDropsWithNoise) {
  const cv::Mat img = testing::photo("fruits.jpg", 3);
  EXPECT_NEAR(ssim(img, img), 1.0, 1e-9);
  cv::Mat noise(img.size(), CV_16SC3), noisy;
  cv::randn(noise, 0, 20);
  cv::add(img, noise, noisy, cv::noArray(), CV_8UC3);
  const double s = ssim(img, noisy);
  EXPECT_LT(s, 0.8);
  EXPECT_GT(s, 0.1);
  // Colour SSIM averages the channels: a change in one channel only lowers it by about a third.
  std::vector<cv::Mat> planes;
  cv::split(img, planes);
  cv::Mat n1;
  cv::add(planes[0], noise.reshape(1, 0).colRange(0, img.cols), n1, cv::noArray(), CV_8U);
  planes[0] = n1;
  cv::Mat one_channel;
  cv::merge(planes, one_channel);
  const double s1 = ssim(img, one_channel);
  EXPECT_GT(s1, s);
  EXPECT_LT(s1, 1.0);
}

}  // namespace
}  // namespace cvpipe::denoise
