// Augmentations and seeded random draws: each op's effect, group alignment (one draw for an input
// and its target), determinism for a seed, and 8-bit inputs keeping their type.
#include "cvpipe/nn/augment.hpp"
#include "cvpipe/nn/random.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <set>

#include <opencv2/imgproc.hpp>

namespace cvpipe::nn {
namespace {

cv::Mat ramp(int h, int w, int channels = 1) {
  cv::Mat m(h, w, CV_32FC(channels));
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < channels; ++c) m.ptr<float>(y)[x * channels + c] = static_cast<float>(1 + y * w + x + 1000 * c) / (h * w + 3000);
  return m;
}

bool same(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0.0;
}

TEST(Random, DrawsAreBoundedAndDeterministic) {
  Rng rng(7);
  std::set<std::int64_t> seen;
  for (int i = 0; i < 2000; ++i) {
    const auto v = uniform_int(rng, -2, 3);
    ASSERT_GE(v, -2);
    ASSERT_LE(v, 3);
    seen.insert(v);
    const double u = uniform01(rng);
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
  }
  EXPECT_EQ(seen.size(), 6u);
  Rng a(42), b(42);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(normal01(a), normal01(b));
  double sum = 0, sq = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const double x = normal01(a);
    sum += x;
    sq += x * x;
  }
  EXPECT_NEAR(sum / n, 0.0, 0.01);
  EXPECT_NEAR(sq / n, 1.0, 0.01);
  EXPECT_NE(derive_seed(1, 0, 0), derive_seed(1, 0, 1));
  EXPECT_NE(derive_seed(1, 1, 0), derive_seed(1, 0, 1));
  EXPECT_EQ(derive_seed(5, 2, 3), derive_seed(5, 2, 3));
}

TEST(Random, StateRoundTrip) {
  Rng a(3);
  a.discard(17);
  Rng b;
  ASSERT_TRUE(set_rng_state(b, rng_state(a)));
  EXPECT_EQ(a(), b());
  EXPECT_FALSE(set_rng_state(b, "not a state"));
}

TEST(Augment, FlipMatchesOpenCVAndKeepsGroupAligned) {
  const cv::Mat img = ramp(5, 7, 3);
  Rng rng(1);
  std::array<cv::Mat, 2> group{img.clone(), img.clone()};
  random_flip({.p_horizontal = 1.0, .p_vertical = 0.0})->apply(group, rng);
  cv::Mat expect;
  cv::flip(img, expect, 1);
  EXPECT_TRUE(same(group[0], expect));
  EXPECT_TRUE(same(group[1], expect));
  cv::flip(img, expect, -1);
  EXPECT_TRUE(same((*random_flip({1.0, 1.0}))(img, rng), expect));
  EXPECT_TRUE(same((*random_flip({0.0, 0.0}))(img, rng), img));
}

TEST(Augment, CropWithPaddingIsAShiftedWindow) {
  const cv::Mat img = ramp(8, 8);
  const auto crop = random_crop({.size = {8, 8}, .padding = 2});
  Rng rng(3);
  std::set<std::pair<int, int>> offsets;
  for (int i = 0; i < 200; ++i) {
    const cv::Mat out = (*crop)(img, rng);
    ASSERT_EQ(out.size(), cv::Size(8, 8));
    cv::Mat padded;
    cv::copyMakeBorder(img, padded, 2, 2, 2, 2, cv::BORDER_CONSTANT, 0);
    bool found = false;
    for (int y = 0; y <= 4 && !found; ++y)
      for (int x = 0; x <= 4 && !found; ++x)
        if (same(padded(cv::Rect(x, y, 8, 8)), out)) {
          offsets.insert({x, y});
          found = true;
        }
    ASSERT_TRUE(found);
  }
  EXPECT_EQ(offsets.size(), 25u) << "every offset of the 5x5 range occurs";
  // Smaller than the crop: padded up to fit.
  Rng r2(1);
  EXPECT_EQ((*random_crop({.size = {12, 10}}))(ramp(4, 5), r2).size(), cv::Size(12, 10));
  EXPECT_THROW(random_crop({.size = {0, 4}}), std::invalid_argument);
}

TEST(Augment, AffineIdentityAndRotationAboutCentre) {
  const cv::Mat img = ramp(9, 9);
  Rng rng(5);
  EXPECT_TRUE(same((*random_affine({}))(img, rng), img));
  const auto rot = random_affine({.degrees = 30, .interpolation = cv::INTER_NEAREST});
  bool changed = false;
  for (int i = 0; i < 5; ++i) {
    const cv::Mat out = (*rot)(img, rng);
    EXPECT_EQ(out.at<float>(4, 4), img.at<float>(4, 4)) << "the centre is fixed under rotation";
    changed |= !same(out, img);
  }
  EXPECT_TRUE(changed);
  // One draw for the whole group.
  std::array<cv::Mat, 2> group{img.clone(), img.clone()};
  random_affine({.degrees = 20, .scale_min = 0.8, .scale_max = 1.2, .translate = 0.1})->apply(group, rng);
  EXPECT_TRUE(same(group[0], group[1]));
  std::array<cv::Mat, 2> bad{ramp(4, 4), ramp(4, 5)};
  EXPECT_THROW(random_affine({})->apply(bad, rng), std::invalid_argument);
}

TEST(Augment, Rot90CoversAllFourRotations) {
  const cv::Mat img = ramp(3, 5);
  std::array<cv::Mat, 4> expected{img, {}, {}, {}};
  cv::rotate(img, expected[1], cv::ROTATE_90_CLOCKWISE);
  cv::rotate(img, expected[2], cv::ROTATE_180);
  cv::rotate(img, expected[3], cv::ROTATE_90_COUNTERCLOCKWISE);
  std::set<int> hit;
  Rng rng(11);
  for (int i = 0; i < 64; ++i) {
    const cv::Mat out = (*random_rot90())(img, rng);
    int k = -1;
    for (int j = 0; j < 4; ++j)
      if (same(out, expected[j])) k = j;
    ASSERT_GE(k, 0);
    hit.insert(k);
  }
  EXPECT_EQ(hit.size(), 4u);
}

TEST(Augment, GaussianNoiseStatisticsAndClipping) {
  const cv::Mat img(200, 200, CV_32F, cv::Scalar(0.5));
  Rng rng(2);
  const cv::Mat out = (*gaussian_noise({.sigma_min = 0.1, .sigma_max = 0.1}))(img, rng);
  cv::Scalar mean, stddev;
  cv::meanStdDev(out - img, mean, stddev);
  EXPECT_NEAR(mean[0], 0.0, 0.003);
  EXPECT_NEAR(stddev[0], 0.1, 0.003);
  const cv::Mat clipped = (*gaussian_noise({.sigma_min = 1, .sigma_max = 1, .clip_min = 0, .clip_max = 1}))(img, rng);
  double lo, hi;
  cv::minMaxLoc(clipped, &lo, &hi);
  EXPECT_GE(lo, 0.0);
  EXPECT_LE(hi, 1.0);
  // 8-bit input stays 8-bit.
  const cv::Mat u8(10, 10, CV_8UC3, cv::Scalar(100, 100, 100));
  const cv::Mat n8 = (*gaussian_noise({.sigma_min = 5, .sigma_max = 5}))(u8, rng);
  EXPECT_EQ(n8.type(), CV_8UC3);
  EXPECT_GT(cv::norm(n8, u8, cv::NORM_L1), 0.0);
  // Determinism: same seed, same noise.
  Rng a(9), b(9);
  const auto noise = gaussian_noise({.sigma_min = 0.05, .sigma_max = 0.2});
  EXPECT_TRUE(same((*noise)(img, a), (*noise)(img, b)));
}

TEST(Augment, ColorJitter) {
  Rng rng(4);
  const cv::Mat img = ramp(6, 6, 3) * 0.5;
  // Brightness alone scales every value by one factor within [0.8, 1.2].
  const cv::Mat bright = (*color_jitter({.brightness = 0.2}))(img, rng);
  const double f = bright.at<cv::Vec3f>(0, 0)[0] / img.at<cv::Vec3f>(0, 0)[0];
  EXPECT_GE(f, 0.8);
  EXPECT_LE(f, 1.2);
  cv::Mat ratio;
  cv::divide(bright, img, ratio);
  double lo, hi;
  cv::minMaxLoc(ratio.reshape(1), &lo, &hi);
  EXPECT_NEAR(lo, f, 1e-5);
  EXPECT_NEAR(hi, f, 1e-5);
  // Contrast keeps the mean gray level (no clipping at these values).
  const cv::Mat gray = ramp(6, 6) * 0.5 + 0.25;
  const cv::Mat con = (*color_jitter({.contrast = 0.5}))(gray, rng);
  EXPECT_NEAR(cv::mean(con)[0], cv::mean(gray)[0], 1e-5);
  EXPECT_FALSE(same(con, gray));
  // Saturation leaves a gray image (equal channels) unchanged and stays within [0, max].
  cv::Mat g3;
  cv::cvtColor(gray, g3, cv::COLOR_GRAY2BGR);
  EXPECT_LT(cv::norm((*color_jitter({.saturation = 0.9}))(g3, rng), g3, cv::NORM_INF), 1e-5);
  const cv::Mat all = (*color_jitter({.brightness = 0.9, .contrast = 0.9, .saturation = 0.9}))(ramp(6, 6, 3), rng);
  cv::minMaxLoc(all.reshape(1), &lo, &hi);
  EXPECT_GE(lo, 0.0);
  EXPECT_LE(hi, 1.0);
}

TEST(Augment, ComposeIsDeterministicForASeed) {
  Compose pipeline({random_crop({.size = {6, 6}, .padding = 1}), random_flip({}), random_rot90(),
                    random_affine({.degrees = 10}), gaussian_noise({.sigma_max = 0.05}),
                    color_jitter({.brightness = 0.1})});
  EXPECT_EQ(pipeline.size(), 6u);
  const cv::Mat img = ramp(6, 6, 3);
  Rng a(123), b(123), c(124);
  const cv::Mat x = pipeline(img, a);
  EXPECT_TRUE(same(x, pipeline(img, b)));
  EXPECT_FALSE(same(x, pipeline(img, c)));
  EXPECT_NE(pipeline.name().find("crop"), std::string::npos);
}

}  // namespace
}  // namespace cvpipe::nn
