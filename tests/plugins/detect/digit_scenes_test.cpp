// Digit scenes: a scene is a pure function of (split, seed, index); boxes are valid and tight;
// the written folder is a COCO dataset that reads back.
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "coco.hpp"
#include "digit_scenes.hpp"
#include "support/process.hpp"
#include "cvpipe/testing/status_matchers.hpp"
#include "test_util.hpp"

namespace cvpipe::detect {
namespace {

class DigitScenes : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!std::filesystem::exists(test::sample("digits.png"))) return;
    sources_ = new SceneSources;
    ASSERT_OK(load_scene_sources({}, true, *sources_));
  }
  static void TearDownTestSuite() {
    delete sources_;
    sources_ = nullptr;
  }
  void SetUp() override {
    if (!sources_) GTEST_SKIP() << "opencv-doc samples not installed";
  }
  static SceneSources* sources_;
};
SceneSources* DigitScenes::sources_ = nullptr;

TEST_F(DigitScenes, SameSeedSameSceneOtherSeedOtherScene) {
  cv::Mat a, b, c;
  std::vector<SceneBox> ba, bb, bc;
  compose_scene(*sources_, 7, 3, a, ba);
  compose_scene(*sources_, 7, 3, b, bb);
  compose_scene(*sources_, 8, 3, c, bc);
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(cv::norm(a, b, cv::NORM_INF), 0.0);
  ASSERT_EQ(ba.size(), bb.size());
  for (size_t i = 0; i < ba.size(); ++i) {
    EXPECT_EQ(ba[i].box, bb[i].box);
    EXPECT_EQ(ba[i].digit, bb[i].digit);
  }
  EXPECT_TRUE(a.size() != c.size() || cv::norm(a, c, cv::NORM_INF) > 0.0);
}

TEST_F(DigitScenes, ScenesAndBoxesAreValid) {
  int total = 0;
  for (int i = 0; i < 20; ++i) {
    cv::Mat img;
    std::vector<SceneBox> boxes;
    compose_scene(*sources_, 1, i, img, boxes);
    ASSERT_EQ(img.type(), CV_8UC3);
    EXPECT_GE(img.cols, 320);
    EXPECT_LE(img.cols, 640);
    EXPECT_GE(img.rows, 240);
    EXPECT_LE(img.rows, 480);
    EXPECT_GE(boxes.size(), 1u);
    EXPECT_LE(boxes.size(), 8u);
    total += static_cast<int>(boxes.size());
    for (const auto& b : boxes) {
      EXPECT_GE(b.digit, 0);
      EXPECT_LE(b.digit, 9);
      EXPECT_GE(b.box.x, 0.f);
      EXPECT_GE(b.box.y, 0.f);
      EXPECT_LE(b.box.x + b.box.width, static_cast<float>(img.cols));
      EXPECT_LE(b.box.y + b.box.height, static_cast<float>(img.rows));
      // Heights 16-64 px of ink; rotation and the alpha cut move the tight box a little.
      EXPECT_GE(b.box.height, 12.f);
      EXPECT_LE(b.box.height, 72.f);
      EXPECT_GE(b.box.width, 2.f);
    }
  }
  EXPECT_GE(total, 40);  // 1-8 digits per scene: about 4.5 on average
}

TEST_F(DigitScenes, InkIsInsideTheBox) {
  // Every box holds ink edges: a box over plain background would be flat.
  cv::Mat img;
  std::vector<SceneBox> boxes;
  compose_scene(*sources_, 5, 0, img, boxes);
  ASSERT_FALSE(boxes.empty());
  for (const auto& b : boxes) {
    cv::Mat lap;
    cv::Laplacian(img(cv::Rect(b.box)), lap, CV_32F);
    cv::Scalar mean, dev;
    cv::meanStdDev(lap, mean, dev);
    EXPECT_GT(dev[0] + dev[1] + dev[2], 3.0) << "a flat box has no digit in it";
  }
}

TEST_F(DigitScenes, WritesACocoFolder) {
  cvpipe::test::TempDir tmp;
  CocoDataset written;
  int64_t calls = 0;
  ASSERT_OK(write_digit_scenes(*sources_, 4, 11, tmp.path() / "set", written, [&](int64_t) { ++calls; }));
  EXPECT_EQ(calls, 4);
  CocoDataset r;
  ASSERT_OK(read_coco(tmp.path() / "set", r));
  ASSERT_EQ(r.images.size(), 4u);
  EXPECT_EQ(r.categories.size(), 10u);
  EXPECT_EQ(r.annotations.size(), written.annotations.size());
  for (const auto& im : r.images) {
    const cv::Mat m = cv::imread(r.image_path(im).string());
    ASSERT_FALSE(m.empty()) << r.image_path(im);
    EXPECT_EQ(m.cols, im.width);
    EXPECT_EQ(m.rows, im.height);
  }
}

TEST(DigitScenesSources, TrainAndTestPhotosAreDisjoint) {
  for (const auto& t : kTestBackgrounds)
    for (const auto& tr : kTrainBackgrounds) EXPECT_NE(t, tr);
  SceneSources s;
  EXPECT_STATUS(load_scene_sources("/nonexistent-data-folder", false, s), not_found);
}

}  // namespace
}  // namespace cvpipe::detect
