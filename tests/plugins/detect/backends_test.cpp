// The classical backends on real opencv-doc images, against boxes checked by hand: Messi's face
// in messi5.jpg (haar), the walking people in frame 20 of vtest.avi (hog). Plus the shared
// filtering (score, classes, NMS, cap) on synthetic candidates.
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/videoio.hpp>

#include "backends.hpp"
#include "detector.hpp"
#include "cvpipe/testing/status_matchers.hpp"
#include "test_util.hpp"
#include "tracker.hpp"

namespace cvpipe::detect {
namespace {

ObjectDetector configured(const std::vector<std::pair<std::string, std::string>>& texts) {
  DetectorOptions o;
  EXPECT_OK(parse_detector_options(test::params_from(detector_params(), texts), o));
  ObjectDetector d;
  EXPECT_OK(d.configure(o));
  return d;
}

TEST(Haar, FindsTheFaceInMessi5) {
  const cv::Mat img = cv::imread(test::sample("messi5.jpg").string());
  if (img.empty()) GTEST_SKIP() << "messi5.jpg not installed";
  ObjectDetector d = configured({{"backend", "haar"}, {"cascade", "face"}});
  std::vector<Detection> found;
  ASSERT_OK(d.detect(img, found));
  const cv::Rect2f face(227, 92, 36, 38);  // checked by eye: hairline to chin, ear to ear
  float best = 0.f;
  for (const auto& det : found) {
    EXPECT_EQ(det.label, "face");
    EXPECT_GE(det.score, 0.3f);
    best = std::max(best, box_iou(det.box, face));
  }
  EXPECT_GE(best, 0.6f) << found.size() << " faces found, none on Messi's";
  EXPECT_LE(found.size(), 3u);
}

TEST(Haar, NoFaceInAFruitBowlAndUpscaleKeepsBoxesInOriginalPixels) {
  const cv::Mat fruits = cv::imread(test::sample("fruits.jpg").string());
  const cv::Mat messi = cv::imread(test::sample("messi5.jpg").string());
  if (fruits.empty() || messi.empty()) GTEST_SKIP() << "opencv-doc samples not installed";
  ObjectDetector d = configured({{"backend", "haar"}, {"cascade", "face"}});
  std::vector<Detection> found;
  ASSERT_OK(d.detect(fruits, found));
  EXPECT_TRUE(found.empty()) << found.size() << " faces in fruits.jpg";
  ObjectDetector up = configured({{"backend", "haar"}, {"cascade", "face"}, {"upscale", "1.5"}});
  ASSERT_OK(up.detect(messi, found));
  float best = 0.f;
  for (const auto& det : found) best = std::max(best, box_iou(det.box, cv::Rect2f(227, 92, 36, 38)));
  EXPECT_GE(best, 0.5f);
}

TEST(Haar, CascadeNames) {
  const auto names = cascade_names();
  if (names.empty()) GTEST_SKIP() << "opencv-data not installed";
  EXPECT_NE(std::find(names.begin(), names.end(), "face"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "frontalface_alt2"), names.end());
  std::filesystem::path file;
  std::string label;
  ASSERT_OK(resolve_cascade("body", file, label));
  EXPECT_EQ(file.filename(), "haarcascade_fullbody.xml");
  EXPECT_EQ(label, "body");
  ASSERT_OK(resolve_cascade(file.string(), file, label));
  EXPECT_EQ(label, "fullbody");
  EXPECT_STATUS(resolve_cascade("nose", file, label), not_found);
}

TEST(Hog, FindsThePeopleInAVideoFrame) {
  cv::VideoCapture cap(test::sample("vtest.avi").string());
  if (!cap.isOpened()) GTEST_SKIP() << "vtest.avi not installed";
  cv::Mat frame;
  for (int i = 0; i <= 20; ++i) ASSERT_TRUE(cap.read(frame));
  ObjectDetector d = configured({{"backend", "hog"}});
  std::vector<Detection> found;
  ASSERT_OK(d.detect(frame, found));
  // Centres of three people in frame 20, checked by eye (a fourth stands close behind the third).
  const cv::Point2f people[] = {{380, 235}, {460, 277}, {706, 324}};
  for (const auto& p : people) {
    bool hit = false;
    for (const auto& det : found) hit |= det.box.contains(p) && det.box.height > 80 && det.box.height < 220;
    EXPECT_TRUE(hit) << "nobody found at (" << p.x << ", " << p.y << ")";
  }
  EXPECT_LE(found.size(), 6u);
  for (const auto& det : found) {
    EXPECT_EQ(det.label, "person");
    EXPECT_EQ(det.class_id, 0);
    EXPECT_GT(det.score, 0.5f);
    EXPECT_GT(det.box.height, det.box.width);
  }
  // classes: "person" by name or by id keeps them all.
  std::vector<Detection> same;
  ObjectDetector by_id = configured({{"backend", "hog"}, {"classes", "0"}});
  ASSERT_OK(by_id.detect(frame, same));
  EXPECT_EQ(same.size(), found.size());
}

TEST(Hog, NoPeopleInAFruitBowl) {
  const cv::Mat fruits = cv::imread(test::sample("fruits.jpg").string());
  if (fruits.empty()) GTEST_SKIP() << "fruits.jpg not installed";
  ObjectDetector d = configured({{"backend", "hog"}});
  std::vector<Detection> found;
  ASSERT_OK(d.detect(fruits, found));
  EXPECT_TRUE(found.empty()) << found.size() << " people in fruits.jpg";
}

TEST(Filter, ScoreClassesNmsAndCap) {
  std::vector<Detection> c = {
      {cv::Rect2f(0, 0, 10, 10), 0, "a", 0.9f},   {cv::Rect2f(1, 0, 10, 10), 0, "a", 0.8f},  // overlap: NMS keeps 0.9
      {cv::Rect2f(1, 0, 10, 10), 1, "b", 0.7f},                                                // other class: kept
      {cv::Rect2f(50, 50, 10, 10), 0, "a", 0.2f},                                              // under the score
      {cv::Rect2f(80, 80, 10, 10), 0, "a", 0.6f},  {cv::Rect2f(90, 0, 0, 10), 0, "a", 0.95f},  // empty box: dropped
  };
  auto out = filter_detections(c, 0.3f, 0.5f, 100);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_FLOAT_EQ(out[0].score, 0.9f);
  EXPECT_FLOAT_EQ(out[1].score, 0.7f);
  EXPECT_FLOAT_EQ(out[2].score, 0.6f);
  out = filter_detections(c, 0.3f, 0.5f, 2);
  EXPECT_EQ(out.size(), 2u);
  out = filter_detections(c, 0.3f, 0.5f, 100, {false, true});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].label, "b");
  out = filter_detections(c, 0.3f, 1.0f, 100);  // iou 1: nothing suppressed
  EXPECT_EQ(out.size(), 4u);
}

}  // namespace
}  // namespace cvpipe::detect
