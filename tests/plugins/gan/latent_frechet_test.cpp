// Latent sampling, walks and the Frechet distance.
#include <gtest/gtest.h>

#include <cmath>

#include "cvpipe/nn/random.hpp"
#include "frechet.hpp"
#include "latent.hpp"
#include "sample_grid.hpp"

namespace cvpipe::gan {
namespace {

TEST(Latent, PerIndexStreamsAndTruncation) {
  EXPECT_EQ(latent_vector(1, 5, 32, 0), latent_vector(1, 5, 32, 0));
  EXPECT_NE(latent_vector(1, 5, 32, 0), latent_vector(1, 6, 32, 0));
  EXPECT_NE(latent_vector(1, 5, 32, 0), latent_vector(2, 5, 32, 0));
  const auto batch = latent_batch(1, 3, 4, 32, 0);
  const auto v5 = latent_vector(1, 5, 32, 0);
  EXPECT_TRUE(std::equal(v5.begin(), v5.end(), batch.begin() + 2 * 32));
  const auto t = latent_batch(9, 0, 200, 16, 0.5);
  for (float x : t) EXPECT_LE(std::abs(x), 0.5f);
  double sq = 0;
  for (float x : latent_batch(9, 0, 200, 16, 0)) sq += x * x;
  EXPECT_NEAR(sq / 3200, 1.0, 0.1);  // N(0, 1)
}

TEST(Latent, SlerpEndpointsAndNorm) {
  const auto a = latent_vector(1, 0, 64, 0), b = latent_vector(1, 1, 64, 0);
  const auto s0 = slerp(a, b, 0), s1 = slerp(a, b, 1), sm = slerp(a, b, 0.5);
  for (int i = 0; i < 64; ++i) {
    EXPECT_NEAR(s0[i], a[i], 1e-5);
    EXPECT_NEAR(s1[i], b[i], 1e-5);
  }
  auto norm = [](const std::vector<float>& v) {
    double s = 0;
    for (float x : v) s += x * x;
    return std::sqrt(s);
  };
  // The middle keeps a typical norm (a straight line would shrink it to ~0.7).
  EXPECT_GT(norm(sm), 0.9 * std::min(norm(a), norm(b)));
  EXPECT_DOUBLE_EQ(smoothstep(0), 0);
  EXPECT_DOUBLE_EQ(smoothstep(1), 1);
  EXPECT_DOUBLE_EQ(smoothstep(0.5), 0.5);
}

cv::Mat gaussian_samples(int n, int d, double shift, std::uint64_t seed) {
  nn::Rng rng(seed);
  cv::Mat m(n, d, CV_64F);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < d; ++j) m.at<double>(i, j) = nn::normal01(rng) * (1.0 + 0.5 * j) + shift;
  return m;
}

TEST(Frechet, KnownValues) {
  const cv::Mat a = gaussian_samples(4000, 4, 0.0, 1);
  EXPECT_NEAR(frechet_distance(a, a), 0.0, 1e-6);
  // Same covariance, mean shifted by 2 in each of 4 dimensions: FD = 4 * 2^2 = 16.
  cv::Mat b = a + 2.0;
  EXPECT_NEAR(frechet_distance(a, b), 16.0, 1e-6);
  // Scaled covariance: N(0, s^2 I) vs N(0, I) in d dims gives d (s - 1)^2.
  Gaussian g1{cv::Mat::zeros(1, 3, CV_64F), cv::Mat::eye(3, 3, CV_64F)};
  Gaussian g2{cv::Mat::zeros(1, 3, CV_64F), 9.0 * cv::Mat::eye(3, 3, CV_64F)};
  EXPECT_NEAR(frechet_distance(g1, g2), 3 * 4.0, 1e-9);
  // Two independent samples of one distribution are close; a different one is far.
  const double same = frechet_distance(a, gaussian_samples(4000, 4, 0.0, 2));
  const double diff = frechet_distance(a, gaussian_samples(4000, 4, 0.5, 3));
  EXPECT_LT(same, 0.1);
  EXPECT_GT(diff, 0.8);
}

TEST(SampleGrid, TilesRowMajor) {
  std::vector<cv::Mat> tiles;
  for (int i = 0; i < 5; ++i) tiles.emplace_back(4, 6, CV_8UC1, cv::Scalar(i * 50));
  const cv::Mat sheet = tile_images(tiles, 3, 1, 2);
  EXPECT_EQ(sheet.cols, 3 * (12 + 1) + 1);
  EXPECT_EQ(sheet.rows, 2 * (8 + 1) + 1);
  EXPECT_EQ(sheet.at<uchar>(1 + 9 + 3, 1 + 13 + 5), 200);  // tile 4 (row 1, col 1)
  EXPECT_THROW(tile_images({}, 3), std::invalid_argument);
}

}  // namespace
}  // namespace cvpipe::gan
