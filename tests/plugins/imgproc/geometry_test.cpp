// imgproc `resize` and `crop`: sizes, aspect ratio, planes and detections kept aligned, errors.
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "cvpipe/testing/images.hpp"
#include "cvpipe/testing/stage_harness.hpp"
#include "cvpipe/testing/status_matchers.hpp"

namespace cvpipe::test {
namespace {

Frame frame_100x50() {
  Frame f = make_frame(color_image(100, 50), "a.png");
  cv::Mat mask = cv::Mat::zeros(50, 100, CV_8UC1);
  cv::rectangle(mask, cv::Rect(10, 10, 20, 20), cv::Scalar(255), cv::FILLED);
  f.planes["mask"] = mask;
  f.planes["small"] = cv::Mat::zeros(5, 5, CV_8UC1);  // not the image's size: left alone
  f.detections.push_back(Detection{cv::Rect2f(10, 10, 20, 20), 0, "box", 1.f});
  return f;
}

cv::Size resized(const ParamTexts& params, cv::Size in = {100, 50}) {
  StageHarness h("imgproc", "resize");
  Frame out;
  const Status st = h.run_one(make_frame(color_image(in.width, in.height)), out, params);
  EXPECT_OK(st);
  return out.image.size();
}

TEST(Resize, WidthOrHeightAloneKeepsAspect) {
  EXPECT_EQ(resized({{"width", "40"}}), cv::Size(40, 20));
  EXPECT_EQ(resized({{"height", "10"}}), cv::Size(20, 10));
}

TEST(Resize, BothFitInsideUnlessStretching) {
  EXPECT_EQ(resized({{"width", "40"}, {"height", "40"}}), cv::Size(40, 20));
  EXPECT_EQ(resized({{"width", "40"}, {"height", "40"}, {"keep_aspect", "false"}}), cv::Size(40, 40));
}

TEST(Resize, ScaleFactor) {
  EXPECT_EQ(resized({{"scale", "0.5"}}), cv::Size(50, 25));
  EXPECT_EQ(resized({{"scale", "2"}}, {3, 5}), cv::Size(6, 10));
  EXPECT_EQ(resized({{"scale", "0.01"}}, {3, 5}), cv::Size(1, 1)) << "never below 1x1";
}

TEST(Resize, MasksAndBoxesFollowTheImage) {
  StageHarness h("imgproc", "resize");
  Frame out;
  ASSERT_OK(h.run_one(frame_100x50(), out, {{"scale", "0.5"}, {"interpolation", "cubic"}}));
  ASSERT_EQ(out.planes["mask"].size(), cv::Size(50, 25));
  EXPECT_EQ(out.planes["small"].size(), cv::Size(5, 5));
  // Nearest-neighbour for masks: still strictly binary.
  cv::Mat nonbinary = (out.planes["mask"] != 0) & (out.planes["mask"] != 255);
  EXPECT_EQ(cv::countNonZero(nonbinary), 0);
  EXPECT_EQ(cv::countNonZero(out.planes["mask"]), 100);
  ASSERT_EQ(out.detections.size(), 1u);
  EXPECT_FLOAT_EQ(out.detections[0].box.x, 5.f);
  EXPECT_FLOAT_EQ(out.detections[0].box.width, 10.f);
}

TEST(Resize, MatchesOpenCV) {
  const cv::Mat img = color_image(64, 48);
  StageHarness h("imgproc", "resize");
  Frame out;
  ASSERT_OK(h.run_one(make_frame(img), out, {{"width", "32"}, {"interpolation", "linear"}}));
  cv::Mat expected;
  cv::resize(img, expected, {32, 24}, 0, 0, cv::INTER_LINEAR);
  EXPECT_EQ(max_abs_diff(out.image, expected), 0.0);
}

TEST(Resize, ConfigureErrors) {
  StageHarness h("imgproc", "resize");
  EXPECT_STATUS(h.configure({}), invalid_argument);
  EXPECT_STATUS(h.configure({{"scale", "2"}, {"width", "5"}}), invalid_argument);
  const Status range = h.configure({{"width", "-3"}});
  EXPECT_STATUS(range, invalid_argument);
  EXPECT_NE(range.message().find("width"), std::string::npos) << range.message();
  EXPECT_STATUS(h.configure({{"interpolation", "bicubic"}}), invalid_argument);
}

TEST(Resize, OpenAnnouncesTheOutputSize) {
  StageHarness h("imgproc", "resize");
  ASSERT_OK(h.configure({{"width", "50"}}));
  StreamInfo in;
  in.size = {100, 80};
  ASSERT_OK(h.open(in));
  EXPECT_EQ(h.out_info().size, cv::Size(50, 40));
}

TEST(Crop, KeepsTheRegion) {
  const cv::Mat img = color_image(100, 50);
  StageHarness h("imgproc", "crop");
  Frame out;
  ASSERT_OK(h.run_one(make_frame(img), out, {{"x", "10"}, {"y", "5"}, {"width", "30"}, {"height", "20"}}));
  EXPECT_EQ(max_abs_diff(out.image, img(cv::Rect(10, 5, 30, 20))), 0.0);
  EXPECT_TRUE(out.image.isContinuous()) << "a copy, not a view into the input";
}

TEST(Crop, ClampsAtTheEdgesAndZeroMeansToTheEdge) {
  StageHarness h("imgproc", "crop");
  Frame out;
  ASSERT_OK(h.run_one(make_frame(color_image(100, 50)), out, {{"x", "90"}, {"width", "50"}}));
  EXPECT_EQ(out.image.size(), cv::Size(10, 50));
}

TEST(Crop, RegionOutsideTheImageIsAnError) {
  StageHarness h("imgproc", "crop");
  Frame out;
  const Status st = h.run_one(make_frame(color_image(100, 50), "x.png"), out, {{"x", "200"}});
  EXPECT_STATUS(st, invalid_argument);
  EXPECT_NE(st.message().find("outside"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("100x50"), std::string::npos) << st.message();
}

TEST(Crop, ShiftsClipsAndDropsDetections) {
  Frame f = frame_100x50();
  f.detections.push_back(Detection{cv::Rect2f(80, 40, 10, 5), 1, "gone", 1.f});
  StageHarness h("imgproc", "crop");
  Frame out;
  ASSERT_OK(h.run_one(f, out, {{"x", "20"}, {"y", "0"}, {"width", "40"}, {"height", "30"}}));
  ASSERT_EQ(out.detections.size(), 1u);
  EXPECT_FLOAT_EQ(out.detections[0].box.x, 0.f);
  EXPECT_FLOAT_EQ(out.detections[0].box.width, 10.f);
  EXPECT_FLOAT_EQ(out.detections[0].box.y, 10.f);
  EXPECT_EQ(out.planes["mask"].size(), cv::Size(40, 30));
  EXPECT_EQ(cv::countNonZero(out.planes["mask"]), 200);
}

}  // namespace
}  // namespace cvpipe::test
