// imgproc `inpaint_classic`: mask plane or key colour, both methods, errors.
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "cvpipe/testing/images.hpp"
#include "cvpipe/testing/stage_harness.hpp"
#include "cvpipe/testing/status_matchers.hpp"

namespace cvpipe::test {
namespace {

// A smooth image with a scratch drawn across it, and the scratch's mask.
void scratched(int type, cv::Mat& clean, cv::Mat& damaged, cv::Mat& mask, const cv::Scalar& ink) {
  clean = pattern_image({64, 48}, type);
  cv::GaussianBlur(clean, clean, {9, 9}, 3);
  damaged = clean.clone();
  mask = cv::Mat::zeros(clean.size(), CV_8UC1);
  cv::line(damaged, {5, 30}, {60, 20}, ink, 2);
  cv::line(mask, {5, 30}, {60, 20}, cv::Scalar(255), 2);
}

double masked_error(const cv::Mat& a, const cv::Mat& b, const cv::Mat& mask) {
  cv::Mat diff;
  cv::absdiff(a, b, diff);
  return cv::mean(diff, mask)[0];
}

TEST(InpaintClassic, FillsTheMaskPlane) {
  for (const char* method : {"telea", "ns"}) {
    for (int type : {CV_8UC3, CV_8UC1, CV_16UC1}) {
      SCOPED_TRACE(std::string(method) + " " + type_name(type));
      cv::Mat clean, damaged, mask;
      const double white = CV_MAT_DEPTH(type) == CV_16U ? 65535 : 255;
      scratched(type, clean, damaged, mask, cv::Scalar::all(white));
      Frame f = make_frame(damaged);
      f.planes["mask"] = mask;
      StageHarness h("imgproc", "inpaint_classic");
      Frame out;
      ASSERT_OK(h.run_one(f, out, {{"method", method}}));
      ASSERT_EQ(out.image.type(), type);
      EXPECT_LT(masked_error(out.image, clean, mask), 0.25 * masked_error(damaged, clean, mask));
      EXPECT_EQ(std::get<int64_t>(out.meta["inpainted_pixels"]), cv::countNonZero(mask));
      // Outside the mask nothing changes.
      EXPECT_EQ(masked_error(out.image, damaged, mask == 0), 0.0);
    }
  }
}

TEST(InpaintClassic, KeyColourMask) {
  cv::Mat clean, damaged, mask;
  scratched(CV_8UC3, clean, damaged, mask, cv::Scalar(255, 0, 255));
  StageHarness h("imgproc", "inpaint_classic");
  Frame out;
  ASSERT_OK(h.run_one(make_frame(damaged), out, {{"key_color", "255,0,255"}}));
  cv::Mat magenta;
  cv::inRange(out.image, cv::Scalar(250, 0, 250), cv::Scalar(255, 5, 255), magenta);
  EXPECT_EQ(cv::countNonZero(magenta), 0);
  EXPECT_LT(masked_error(out.image, clean, mask), 0.25 * masked_error(damaged, clean, mask));
}

TEST(InpaintClassic, EmptyMaskPassesUnchanged) {
  const cv::Mat img = color_image(20, 10);
  Frame f = make_frame(img);
  f.planes["mask"] = cv::Mat::zeros(10, 20, CV_8UC1);
  StageHarness h("imgproc", "inpaint_classic");
  Frame out;
  ASSERT_OK(h.run_one(f, out));
  EXPECT_EQ(max_abs_diff(out.image, img), 0.0);
}

TEST(InpaintClassic, Errors) {
  StageHarness h("imgproc", "inpaint_classic");
  Frame out;
  const Status none = h.run_one(make_frame(color_image(20, 10), "p.png"), out);
  EXPECT_STATUS(none, invalid_argument);
  EXPECT_NE(none.message().find("mask"), std::string::npos) << none.message();
  EXPECT_NE(none.message().find("key_color"), std::string::npos) << none.message();

  Frame wrong = make_frame(color_image(20, 10));
  wrong.planes["mask"] = cv::Mat::zeros(5, 5, CV_8UC1);
  const Status size = h.run_one(wrong, out);
  EXPECT_STATUS(size, invalid_argument);
  EXPECT_NE(size.message().find("5x5"), std::string::npos) << size.message();

  EXPECT_STATUS(h.configure({{"key_color", "red"}}), invalid_argument);
  EXPECT_STATUS(h.configure({{"key_color", "1,2"}}), invalid_argument);
  EXPECT_STATUS(h.configure({{"key_color", "1,2,300"}}), invalid_argument);
  EXPECT_OK(h.configure({{"key_color", " 1, 2 ,3"}}));
  EXPECT_STATUS(h.run_one(make_frame(gray_image(8, 8)), out, {{"key_color", "1,2,3"}}), invalid_argument);
}

}  // namespace
}  // namespace cvpipe::test
