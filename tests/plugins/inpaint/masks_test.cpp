// Free-form masks (seeded, coverage in range), key-colour, detection and file masks.
#include <gtest/gtest.h>

#include "masks.hpp"
#include "test_support.hpp"
#include "cvpipe/testing/status_matchers.hpp"

namespace cvpipe::inpaint {
namespace {

TEST(RandomMask, SeededAndWithinCoverage) {
  for (cv::Size size : {cv::Size(96, 96), cv::Size(256, 256), cv::Size(512, 384)}) {
    for (std::uint64_t seed = 0; seed < 6; ++seed) {
      nn::Rng a(seed), b(seed);
      const cv::Mat m1 = random_mask(size, {0.05, 0.20}, a), m2 = random_mask(size, {0.05, 0.20}, b);
      ASSERT_EQ(m1.type(), CV_8UC1);
      EXPECT_EQ(cv::norm(m1, m2, cv::NORM_INF), 0.0) << "same seed, same mask";
      const double c = coverage(m1);
      EXPECT_GE(c, 0.05) << size << " seed " << seed;
      EXPECT_LE(c, 0.20) << size << " seed " << seed;
      cv::Mat other;
      cv::compare(m1, 0, other, cv::CMP_NE);
      EXPECT_EQ(cv::countNonZero(other), cv::countNonZero(m1 == 255)) << "values are 0 or 255";
    }
  }
  nn::Rng a(1), b(2);
  EXPECT_GT(cv::norm(random_mask({128, 128}, {}, a), random_mask({128, 128}, {}, b), cv::NORM_L1), 0.0);
}

TEST(ColorMask, KeyColourWithTolerance) {
  cv::Mat img(4, 4, CV_8UC3, cv::Scalar(10, 20, 30));
  img.at<cv::Vec3b>(1, 2) = {255, 0, 255};
  img.at<cv::Vec3b>(3, 0) = {250, 3, 252};
  cv::Scalar magenta;
  ASSERT_OK(parse_color("magenta", magenta));
  EXPECT_EQ(cv::countNonZero(color_mask(img, magenta, 0)), 1);
  EXPECT_EQ(cv::countNonZero(color_mask(img, magenta, 5)), 2);
  cv::Mat img16;
  img.convertTo(img16, CV_16U, 257.0);
  EXPECT_EQ(cv::countNonZero(color_mask(img16, magenta, 0)), 1);
  cv::Scalar c;
  EXPECT_OK(parse_color("0, 255,0", c));
  EXPECT_EQ(c, cv::Scalar(0, 255, 0));
  EXPECT_FALSE(parse_color("256,0,0", c).ok());
  EXPECT_FALSE(parse_color("1,2", c).ok());
  EXPECT_FALSE(parse_color("purple", c).ok());
}

TEST(DetectionMask, BoxesOfChosenClasses) {
  std::vector<Detection> d(2);
  d[0].box = {2.5f, 3.2f, 4.0f, 2.0f};
  d[0].label = "person";
  d[0].class_id = 0;
  d[1].box = {-5.f, 8.f, 10.f, 50.f};  // partly outside
  d[1].label = "car";
  d[1].class_id = 2;
  const cv::Mat all = detection_mask({20, 20}, d, {});
  EXPECT_EQ(cv::countNonZero(all(cv::Rect(2, 3, 5, 3))), 15) << "rounded outwards";
  EXPECT_EQ(cv::countNonZero(detection_mask({20, 20}, d, {"person"})), 15);
  EXPECT_EQ(cv::countNonZero(detection_mask({20, 20}, d, {"2"})), 5 * 12);
  EXPECT_EQ(cv::countNonZero(detection_mask({20, 20}, d, {"dog"})), 0);
}

TEST(MaskFile, SameStemAnyImageExtension) {
  testing::TempDir dir("maskfile");
  ASSERT_TRUE(cv::imwrite((dir.path / "photo.png").string(), cv::Mat::zeros(4, 4, CV_8UC1)));
  std::filesystem::path found;
  ASSERT_OK(find_mask_file(dir.path, "photo.jpg", found));
  EXPECT_EQ(found, dir.path / "photo.png");
  const Status missing = find_mask_file(dir.path, "other.jpg", found);
  EXPECT_EQ(missing.code(), StatusCode::not_found);
  EXPECT_NE(missing.message().find("other.png"), std::string::npos) << missing.message();
}

TEST(Binarize, AnyNonZeroChannelIsHole) {
  cv::Mat m = cv::Mat::zeros(2, 2, CV_8UC3);
  m.at<cv::Vec3b>(0, 1) = {0, 0, 1};
  const cv::Mat b = binarize(m);
  EXPECT_EQ(b.type(), CV_8UC1);
  EXPECT_EQ(b.at<uchar>(0, 1), 255);
  EXPECT_EQ(cv::countNonZero(b), 1);
}

}  // namespace
}  // namespace cvpipe::inpaint
