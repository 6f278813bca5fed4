// sigma: auto — the blind noise estimate lands within 20% of the true sigma on held-out photos.
#include <gtest/gtest.h>

#include "cvpipe/nn/random.hpp"
#include "noise_estimate.hpp"
#include "synthetic_noise.hpp"
#include "test_support.hpp"

namespace cvpipe::denoise {
namespace {

struct Case {
  const char* photo;
  int channels;
};

class NoiseEstimateTest : public ::testing::TestWithParam<Case> {};

TEST_P(NoiseEstimateTest, WithinTwentyPercentOfTrueSigma) {
  const auto [name, channels] = GetParam();
  const cv::Mat clean = testing::photo(name, channels);
  ASSERT_FALSE(clean.empty());
  for (double sigma : {5.0, 10.0, 25.0, 50.0}) {
    nn::Rng rng(nn::derive_seed(3, static_cast<std::uint64_t>(sigma)));
    const cv::Mat noisy = add_gaussian_noise(clean, sigma, rng);
    const double est = estimate_noise_sigma(noisy);
    EXPECT_NEAR(est, sigma, 0.2 * sigma) << name << " channels " << channels << " sigma " << sigma;
  }
}

INSTANTIATE_TEST_SUITE_P(HeldOut, NoiseEstimateTest,
                         ::testing::Values(Case{"baboon.jpg", 1}, Case{"fruits.jpg", 1}, Case{"building.jpg", 1},
                                           Case{"baboon.jpg", 3}, Case{"squirrel_cls.jpg", 3}, Case{"leuvenA.jpg", 3}),
                         [](const auto& info) {
                           std::string n = info.param.photo;
                           return n.substr(0, n.find('.')) + (info.param.channels == 1 ? "_gray" : "_color");
                         });

TEST(NoiseEstimate, CleanPhotoIsNearlyNoiseFree) {
  EXPECT_LT(estimate_noise_sigma(testing::photo("fruits.jpg", 3)), 2.0);
}

TEST(NoiseEstimate, SixteenBitIsInSixteenBitUnits) {
  cv::Mat clean8 = testing::photo("fruits.jpg", 1), clean16;
  clean8.convertTo(clean16, CV_16U, 257.0);
  nn::Rng rng(5);
  const cv::Mat noisy = add_gaussian_noise(clean16, 20.0, rng);
  EXPECT_NEAR(estimate_noise_sigma(noisy) / 257.0, 20.0, 4.0);
}

TEST(NoiseEstimate, EmptyAndTinyImagesGiveZero) {
  EXPECT_EQ(estimate_noise_sigma(cv::Mat()), 0.0);
  EXPECT_EQ(estimate_noise_sigma(cv::Mat(3, 3, CV_8UC1, cv::Scalar(7))), 0.0);
}

TEST(NoiseEstimate, ConstantImageGivesZero) {
  EXPECT_NEAR(estimate_noise_sigma(cv::Mat(64, 64, CV_8UC3, cv::Scalar(100, 120, 140))), 0.0, 1e-6);
}

}  // namespace
}  // namespace cvpipe::denoise
