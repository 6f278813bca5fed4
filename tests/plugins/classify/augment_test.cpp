// Training augmentation: the stroke-width change thickens and thins strokes, is off by default,
// and everything is deterministic for the Rng state.
#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "augment.hpp"

namespace cvpipe::classify {
namespace {

cv::Mat ring() {
  cv::Mat m = cv::Mat::zeros(20, 20, CV_32FC1);
  cv::ellipse(m, {10, 10}, {4, 6}, 0, 0, 360, cv::Scalar(1.0), 2, cv::LINE_AA);
  return m;
}

TEST(ClassifyAugment, StrokeWidthThickensAndThins) {
  const cv::Mat in = ring();
  const double ink = cv::sum(in)[0];
  AugmentOptions o{0, 0, 0, 0, 0, 2.0, 0.8};  // stroke only
  ASSERT_TRUE(o.enabled());
  nn::Rng rng(7);
  int thicker = 0, thinner = 0;
  for (int i = 0; i < 20; ++i) {
    const cv::Mat out = augment_image(in, o, rng);
    ASSERT_EQ(out.size(), in.size());
    ASSERT_EQ(out.type(), in.type());
    const double s = cv::sum(out)[0];
    thicker += s > 1.1 * ink;
    thinner += s < 0.9 * ink;
    // Ink stays where the ring is (a 1-px neighbourhood): no shift, no new blobs.
    cv::Mat near, mask;
    cv::dilate(in > 0, near, cv::getStructuringElement(cv::MORPH_CROSS, cv::Size(3, 3)));
    cv::bitwise_not(near, mask);
    EXPECT_EQ(cv::countNonZero((out > 1e-6) & mask), 0);
  }
  EXPECT_GT(thicker, 2);
  EXPECT_GT(thinner, 2);
  // Off by default; the same Rng state gives the same warp.
  EXPECT_FALSE((AugmentOptions{0, 0, 0, 0, 0, 2.0}).enabled());
  AugmentOptions all{10, 0.1, 0.15, 0.1, 1.0, 2.0, 0.6};
  nn::Rng a(3), b(3);
  EXPECT_EQ(cv::norm(augment_image(in, all, a), augment_image(in, all, b), cv::NORM_INF), 0.0);
}

}  // namespace
}  // namespace cvpipe::classify
