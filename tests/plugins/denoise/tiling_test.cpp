// Tiling: spans partition the image, and tiled processing equals one pass (within 0.05 dB for the
// CNN) when the margin covers the receptive field.
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "denoiser.hpp"
#include "metrics.hpp"
#include "synthetic_noise.hpp"
#include "test_support.hpp"
#include "cvpipe/nn/tiling.hpp"
#include "cvpipe/testing/status_matchers.hpp"

namespace cvpipe::denoise {
namespace {

using nn::process_tiled;
using nn::tile_spans;
using nn::TilingOptions;

TEST(TileSpans, PartitionTheAxisWithEqualAlignedTiles) {
  for (int length : {2, 64, 100, 128, 130, 500, 1000, 1026}) {
    for (int tile : {64, 128, 256}) {
      for (int margin : {0, 8, 26}) {
        TilingOptions o{tile, margin, 2};
        const auto spans = tile_spans(length, o);
        ASSERT_FALSE(spans.empty());
        int expect_begin = 0;
        // One size per axis, at most `tile`, and the fewest tiles that cover the axis.
        const int fewest = length <= tile ? 1 : (length - 2 * margin + tile - 2 * margin - 1) / (tile - 2 * margin);
        EXPECT_EQ(static_cast<int>(spans.size()), fewest) << length << " " << tile << " " << margin;
        for (const auto& s : spans) {
          EXPECT_EQ(s.size, spans.front().size) << length << " " << tile << " " << margin;
          EXPECT_LE(s.size, std::min(length, tile));
          EXPECT_EQ(s.size % 2, 0);
          EXPECT_EQ(s.start % 2, 0);
          EXPECT_GE(s.start, 0);
          EXPECT_LE(s.start + s.size, length);
          EXPECT_EQ(s.keep_begin, expect_begin);
          EXPECT_LT(s.keep_begin, s.keep_end);
          if (s.keep_begin > 0) { EXPECT_GE(s.keep_begin, s.start + margin); }
          if (s.keep_end < length) { EXPECT_LE(s.keep_end, s.start + s.size - margin); }
          expect_begin = s.keep_end;
        }
        EXPECT_EQ(expect_begin, length);
      }
    }
  }
  EXPECT_TRUE(tile_spans(0, {}).empty());
}

// A local operation with a receptive radius of 5 and zero padding at tile borders.
Status box11(const cv::Mat& in, cv::Mat& out) {
  cv::Mat f;
  in.convertTo(f, CV_32F);
  cv::boxFilter(f, out, CV_32F, {11, 11}, {-1, -1}, true, cv::BORDER_CONSTANT);
  return {};
}

TEST(ProcessTiled, LocalOperationMatchesOnePassWhenMarginCoversRadius) {
  cv::Mat img(203, 311, CV_8UC1);
  cv::randu(img, 0, 255);
  cv::Mat whole, tiled, short_margin;
  ASSERT_OK(process_tiled(img, whole, {4096, 6, 2}, box11));
  ASSERT_OK(process_tiled(img, tiled, {64, 6, 2}, box11));
  ASSERT_OK(process_tiled(img, short_margin, {64, 2, 2}, box11));
  ASSERT_EQ(tiled.size(), img.size());
  EXPECT_EQ(cv::norm(whole, tiled, cv::NORM_INF), 0.0);
  EXPECT_GT(cv::norm(whole, short_margin, cv::NORM_INF), 1.0);  // the check can fail
}

TEST(ProcessTiled, RejectsEmptyAndWrongSizedTiles) {
  cv::Mat out;
  EXPECT_FALSE(process_tiled(cv::Mat(), out, {}, box11).ok());
  auto bad = [](const cv::Mat& in, cv::Mat& o) -> Status {
    o = cv::Mat(in.rows / 2 + 1, in.cols, in.type());
    return {};
  };
  EXPECT_FALSE(process_tiled(cv::Mat(100, 100, CV_8UC1, cv::Scalar(1)), out, {64, 4, 2}, bad).ok());
}

// The CNN over tiles vs one pass over the whole (odd-sized) image.
void expect_tiled_equals_one_pass(std::unique_ptr<DenoiseNet> net, const cv::Mat& clean, int tile, double sigma) {
  nn::Rng rng(11);
  const cv::Mat noisy = add_gaussian_noise(clean, sigma, rng);
  CnnDenoiser den(std::move(net), {});
  cv::Mat one, tiled;
  den.set_options({16384, 0});
  ASSERT_OK(den.denoise(noisy, sigma, one));
  den.set_options({tile, 0});
  ASSERT_OK(den.denoise(noisy, sigma, tiled));
  ASSERT_EQ(tiled.size(), clean.size());
  ASSERT_EQ(tiled.type(), clean.type());
  const double p_one = psnr(one, clean), p_tiled = psnr(tiled, clean);
  EXPECT_NEAR(p_tiled, p_one, 0.05);
  // Beyond the 0.05 dB criterion the outputs are identical up to rounding of 8-bit values.
  EXPECT_LE(cv::norm(one, tiled, cv::NORM_INF), 1.0);
}

TEST(CnnTiling, RandomNetGrayOddSizeMatchesOnePass) {
  cv::Mat clean = testing::photo("fruits.jpg", 1)(cv::Rect(0, 0, 301, 223)).clone();
  expect_tiled_equals_one_pass(testing::random_net(1), clean, 96, 25.0);
}

TEST(CnnTiling, RandomNetColorMatchesOnePass) {
  cv::Mat clean = testing::photo("baboon.jpg", 3)(cv::Rect(0, 0, 256, 200)).clone();
  expect_tiled_equals_one_pass(testing::random_net(3), clean, 128, 25.0);
}

TEST(CnnTiling, ShippedModelMatchesOnePass) {
  const auto path = testing::shipped_model(3);
  ASSERT_FALSE(path.empty()) << "models/denoise_color.safetensors missing";
  std::unique_ptr<DenoiseNet> net;
  ASSERT_OK(DenoiseNet::load(path, net));
  cv::Mat clean = testing::photo("butterfly.jpg", 3)(cv::Rect(0, 0, 400, 300)).clone();
  expect_tiled_equals_one_pass(std::move(net), clean, 192, 25.0);
}

}  // namespace
}  // namespace cvpipe::denoise
