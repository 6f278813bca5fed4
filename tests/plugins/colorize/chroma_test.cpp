// Chroma bins and the rebalanced soft cross-entropy: bins cover the training colours, soft
// encodings are distributions centred on the nearest bin, rebalancing weights have mean 1 under
// the data and favour rare colours, annealed-mean decoding moves from the mean (T = 1) to the mode
// (T -> 0), and the loss gradient matches finite differences.
#include <cmath>

#include <gtest/gtest.h>

#include "chroma_loss.hpp"
#include "test_support.hpp"

namespace cvpipe::colorize {
namespace {

TEST(ChromaBins, FromDataCoversColoursAndRebalances) {
  // 90% gray pixels, 10% strongly red: the red bin must weigh more than the gray one.
  cv::Mat ab(10, 10, CV_32FC2, cv::Scalar(0, 0));
  ab.rowRange(0, 1).setTo(cv::Scalar(60, 40));
  const ChromaBins bins = ChromaBins::from_data({ab}, 10.f, 0.01, 0.5);
  ASSERT_GE(bins.size(), 2);
  const int gray = bins.nearest(0, 0), red = bins.nearest(60, 40);
  EXPECT_NEAR(bins.centres()[red][0], 60, 1e-4);  // cells are centred on multiples of the grid
  EXPECT_NEAR(bins.centres()[red][1], 40, 1e-4);
  EXPECT_GT(bins.weights()[red], 2 * bins.weights()[gray]);
  // mean weight under the data is 1 (up to the smoothing of the prior)
  const double mean = 0.9 * bins.weights()[gray] + 0.1 * bins.weights()[red];
  EXPECT_NEAR(mean, 1.0, 0.15);
}

TEST(ChromaBins, SoftEncodingIsADistributionPeakedAtTheNearestBin) {
  const ChromaBins bins = testing::test_bins();
  ASSERT_GE(bins.size(), 5);
  int idx[5];
  float val[5];
  const int n = bins.soft_encode(12.f, -7.f, idx, val);
  ASSERT_EQ(n, 5);
  float sum = 0;
  for (int i = 0; i < n; ++i) sum += val[i];
  EXPECT_NEAR(sum, 1.f, 1e-5);
  EXPECT_EQ(idx[0], bins.nearest(12.f, -7.f));
  for (int i = 1; i < n; ++i) EXPECT_LE(val[i], val[0]);
}

TEST(ChromaBins, AnnealedMeanGoesFromMeanToMode) {
  const ChromaBins bins = testing::test_bins();
  const int k = bins.size();
  std::vector<float> logits(k, 0.f);
  logits[0] = 2.f;  // the mode
  const cv::Vec2f mode = bins.decode(logits.data(), 1, 0.01f, 1.f);
  EXPECT_NEAR(mode[0], bins.centres()[0][0], 1e-3);
  EXPECT_NEAR(mode[1], bins.centres()[0][1], 1e-3);
  // T = 1: the softmax mean
  double z = 0, a = 0;
  for (int i = 0; i < k; ++i) {
    const double e = std::exp(logits[i]);
    z += e;
    a += e * bins.centres()[i][0];
  }
  EXPECT_NEAR(bins.decode(logits.data(), 1, 1.f, 1.f)[0], a / z, 1e-3);
  EXPECT_NEAR(bins.decode(logits.data(), 1, 1.f, 0.5f)[0], 0.5 * a / z, 1e-3);
}

TEST(ChromaBins, ConfidenceIsOneForOneBinAndZeroForUniform) {
  const ChromaBins bins = testing::test_bins();
  const int k = bins.size();
  std::vector<float> logits(k, 0.f);
  EXPECT_NEAR(bins.confidence(logits.data(), 1), 0.f, 1e-5);  // uniform: entropy log K
  logits[3] = 60.f;
  EXPECT_NEAR(bins.confidence(logits.data(), 1), 1.f, 1e-5);  // one bin
  logits[3] = 8.f;
  const float mid = bins.confidence(logits.data(), 1);
  EXPECT_GT(mid, 0.f);
  EXPECT_LT(mid, 1.f);
  logits[5] = 8.f;  // the mass split between two bins: less sure
  EXPECT_LT(bins.confidence(logits.data(), 1), mid);
}

TEST(ChromaLoss, GradientMatchesFiniteDifferences) {
  const ChromaBins bins = testing::test_bins();
  const int k = bins.size(), h = 2, w = 3;
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(-1.f, 1.f), abu(-40.f, 40.f);
  std::vector<float> z(static_cast<std::size_t>(2) * k * h * w), t(static_cast<std::size_t>(2) * 2 * h * w);
  for (auto& v : z) v = u(rng);
  for (auto& v : t) v = abu(rng);
  const nn::Tensor target = nn::Tensor::from_vector({2, 2, h, w}, t);
  const ChromaLoss base = chroma_loss(nn::Tensor::from_vector({2, k, h, w}, z), target, bins, true);
  const float* g = base.grad.data<float>();
  for (std::size_t i : {std::size_t{0}, std::size_t{7}, z.size() / 2, z.size() - 1}) {
    auto zp = z, zm = z;
    zp[i] += 1e-2f;
    zm[i] -= 1e-2f;
    const double lp = chroma_loss(nn::Tensor::from_vector({2, k, h, w}, zp), target, bins, true).loss;
    const double lm = chroma_loss(nn::Tensor::from_vector({2, k, h, w}, zm), target, bins, true).loss;
    EXPECT_NEAR(g[i], (lp - lm) / 2e-2, 1e-4) << i;
  }
  EXPECT_GT(base.loss, 0);
  EXPECT_THROW(chroma_loss(nn::Tensor::from_vector({2, k, h, w}, z), nn::Tensor::zeros({2, 2, h, w + 1}), bins, true), nn::Error);
}

}  // namespace
}  // namespace cvpipe::colorize
