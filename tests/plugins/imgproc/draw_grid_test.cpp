// imgproc `draw` and `grid`: what gets drawn, sheets and their layout, passthrough, finish().
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "cvpipe/testing/images.hpp"
#include "cvpipe/testing/stage_harness.hpp"
#include "cvpipe/testing/status_matchers.hpp"

namespace cvpipe::test {
namespace {

TEST(Draw, NothingToDrawLeavesTheImageAlone) {
  const cv::Mat img = gray_image(30, 20);
  StageHarness h("imgproc", "draw");
  Frame out;
  ASSERT_OK(h.run_one(make_frame(img), out));
  EXPECT_EQ(out.image.data, img.data) << "no copy without detections or labels";
}

TEST(Draw, DrawsBoxesOnACopyInColour) {
  const cv::Mat img(60, 80, CV_8UC1, cv::Scalar(128));
  Frame f = make_frame(img);
  f.detections.push_back(Detection{cv::Rect2f(20, 30, 30, 20), 0, "cat", 0.75f});
  StageHarness h("imgproc", "draw");
  Frame out;
  ASSERT_OK(h.run_one(f, out, {{"thickness", "3"}, {"labels", "false"}}));
  ASSERT_EQ(out.image.type(), CV_8UC3);
  EXPECT_EQ(cv::countNonZero(img != 128), 0) << "the input must not be modified";
  // The box's bottom edge has the class colour; the box interior and far corners are untouched.
  const cv::Vec3b edge = out.image.at<cv::Vec3b>(50, 35);
  EXPECT_NE(edge, cv::Vec3b(128, 128, 128));
  EXPECT_EQ(out.image.at<cv::Vec3b>(40, 35), cv::Vec3b(128, 128, 128));
  EXPECT_EQ(out.image.at<cv::Vec3b>(59, 79), cv::Vec3b(128, 128, 128));
}

TEST(Draw, TrackedDetectionsAreColouredByTrackIdAndTaggedWithIt) {
  // Two boxes of one class: untracked they share the class colour; tracked with different ids
  // they differ, and the "#ID" prefix makes the tag wider.
  const cv::Mat img(100, 200, CV_8UC3, cv::Scalar::all(128));
  Frame f = make_frame(img);
  f.detections.push_back(Detection{cv::Rect2f(20, 40, 40, 40), 0, "p", 0.5f});
  f.detections.push_back(Detection{cv::Rect2f(120, 40, 40, 40), 0, "p", 0.5f});
  StageHarness h("imgproc", "draw");
  Frame plain, tracked;
  ASSERT_OK(h.run_one(f, plain, {{"labels", "false"}}));
  EXPECT_EQ(plain.image.at<cv::Vec3b>(80, 40), plain.image.at<cv::Vec3b>(80, 140));
  f.detections[0].track_id = 1;
  f.detections[1].track_id = 2;
  ASSERT_OK(h.run_one(f, tracked, {{"labels", "false"}}));
  EXPECT_NE(tracked.image.at<cv::Vec3b>(80, 40), tracked.image.at<cv::Vec3b>(80, 140));
  const auto tag_width = [](const cv::Mat& m) {  // non-gray columns of the tag row above box 0
    cv::Mat row = m(cv::Rect(0, 25, 110, 10)).reshape(1);
    return cv::countNonZero(row != 128);
  };
  EXPECT_GT(tag_width(tracked.image), tag_width(plain.image));
}

TEST(Draw, TopLabelInTheCorner) {
  Frame f = make_frame(cv::Mat(60, 120, CV_16UC3, cv::Scalar::all(30000)));
  f.labels.push_back(Label{7, "seven", 0.9f});
  StageHarness h("imgproc", "draw");
  Frame out;
  ASSERT_OK(h.run_one(f, out));
  EXPECT_EQ(out.image.type(), CV_16UC3);
  cv::Mat corner = out.image(cv::Rect(0, 0, 60, 20)).reshape(1);
  EXPECT_GT(cv::countNonZero(corner != 30000), 50);
  cv::Mat rest = out.image(cv::Rect(0, 40, 120, 20)).reshape(1);
  EXPECT_EQ(cv::countNonZero(rest != 30000), 0);
}

TEST(Grid, SheetsEveryCountAndTheRestAtFinish) {
  std::vector<Frame> in;
  for (int i = 0; i < 5; ++i) in.push_back(make_frame(color_image(40 + i, 30, CV_8U, i + 1), "f" + std::to_string(i) + ".png", i));
  StageHarness h("imgproc", "grid");
  std::vector<Frame> out;
  ASSERT_OK(h.run(in, out, {{"cols", "2"}, {"count", "4"}, {"tile_width", "20"}, {"tile_height", "10"}, {"gap", "1"}}));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].image.size(), cv::Size(1 + 2 * 21, 1 + 2 * 11));
  EXPECT_EQ(out[1].image.size(), cv::Size(1 + 2 * 21, 1 + 1 * 11)) << "the last sheet has one row";
  EXPECT_EQ(out[0].source, "grid_000000");
  EXPECT_EQ(out[1].source, "grid_000001");
  EXPECT_EQ(std::get<int64_t>(out[0].meta["grid_tiles"]), 4);
  EXPECT_EQ(std::get<int64_t>(out[1].meta["grid_tiles"]), 1);
  EXPECT_EQ(out[0].image.type(), CV_8UC3);
}

TEST(Grid, TilesKeepAspectAndContent) {
  // A white 40x10 frame in a 20x20 cell: scaled to 20x5, centred, background above and below.
  StageHarness h("imgproc", "grid");
  std::vector<Frame> out;
  ASSERT_OK(h.run({make_frame(cv::Mat(10, 40, CV_16UC1, cv::Scalar(65535)))}, out,
                  {{"cols", "1"}, {"count", "1"}, {"tile_width", "20"}, {"tile_height", "20"}, {"gap", "0"},
                   {"background", "0"}, {"captions", "false"}}));
  ASSERT_EQ(out.size(), 1u);
  const cv::Mat& s = out[0].image;
  ASSERT_EQ(s.size(), cv::Size(20, 20));
  EXPECT_EQ(s.at<cv::Vec3b>(10, 10), cv::Vec3b(255, 255, 255));
  EXPECT_EQ(s.at<cv::Vec3b>(2, 10), cv::Vec3b(0, 0, 0));
  EXPECT_EQ(s.at<cv::Vec3b>(17, 10), cv::Vec3b(0, 0, 0));
}

TEST(Grid, PassthroughKeepsFramesAndEachSheetFollowsTheFrameThatCompletesIt) {
  std::vector<Frame> in;
  for (int i = 0; i < 3; ++i) in.push_back(make_frame(gray_image(16, 16), "g" + std::to_string(i) + ".png", i));
  StageHarness h("imgproc", "grid");
  ASSERT_OK(h.configure({{"count", "2"}, {"passthrough", "true"}}, StageContext{"sheet", {}, 1, false}));
  ASSERT_OK(h.open());
  std::vector<Frame> out;
  for (auto& f : in) ASSERT_OK(h.transform(f, out));
  ASSERT_EQ(out.size(), 4u) << "three frames and the first sheet, mid-stream";
  EXPECT_EQ(out[0].source, "g0.png");
  EXPECT_EQ(out[1].source, "g1.png");
  EXPECT_EQ(out[2].source, "sheet_000000") << "sheets are named after the instance";
  EXPECT_EQ(out[2].seq, 1) << "a sheet's seq is its last tile's";
  EXPECT_EQ(out[3].source, "g2.png");
  EXPECT_EQ(out[3].image.size(), cv::Size(16, 16));
  std::vector<Frame> rest;
  ASSERT_OK(h.finish(rest));
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].seq, 2);
  EXPECT_EQ(std::get<int64_t>(rest[0].meta["grid_sheet"]), 1);
  EXPECT_OK(h.close());
}

TEST(Grid, HoldsTilesUntilASheetIsFull) {
  StageHarness h("imgproc", "grid");
  ASSERT_OK(h.configure({{"count", "2"}}));
  ASSERT_OK(h.open());
  Frame a = make_frame(gray_image(8, 8)), b = make_frame(gray_image(8, 8));
  std::vector<Frame> out;
  ASSERT_OK(h.transform(a, out));
  EXPECT_TRUE(out.empty());
  ASSERT_OK(h.transform(b, out));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].source, "grid_000000");
  std::vector<Frame> rest;
  ASSERT_OK(h.finish(rest));
  EXPECT_TRUE(rest.empty());
}

}  // namespace
}  // namespace cvpipe::test
