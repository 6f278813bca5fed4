// COCO-style AP and mAP against hand-computed cases.
#include <gtest/gtest.h>

#include "average_precision.hpp"

namespace cvpipe::detect {
namespace {

const cv::Rect2f kA(10, 10, 100, 100), kB(200, 50, 40, 80), kC(300, 300, 60, 60);

TEST(AveragePrecision, PerfectPredictionsScoreOne) {
  std::vector<ImageResult> images(2);
  images[0].truth = {{kA, 0}, {kB, 1}};
  images[0].predictions = {{kA, 0, 0.9f}, {kB, 1, 0.8f}};
  images[1].truth = {{kC, 0}};
  images[1].predictions = {{kC, 0, 0.7f}};
  const DetectionMetrics m = evaluate_detections(images, 2);
  EXPECT_DOUBLE_EQ(m.map50, 1.0);
  EXPECT_DOUBLE_EQ(m.map50_95, 1.0);
  EXPECT_DOUBLE_EQ(m.precision, 1.0);
  EXPECT_DOUBLE_EQ(m.recall, 1.0);
  EXPECT_EQ(m.truth_boxes, 3);
  EXPECT_EQ(m.predictions, 3);
}

TEST(AveragePrecision, OneMissHalvesRecall) {
  // Two truths, one found: precision 1 up to recall 0.5, so 51 of the 101 recall points count.
  std::vector<ImageResult> images(1);
  images[0].truth = {{kA, 0}, {kC, 0}};
  images[0].predictions = {{kA, 0, 0.9f}};
  const DetectionMetrics m = evaluate_detections(images, 1);
  EXPECT_NEAR(m.map50, 51.0 / 101.0, 1e-12);
  EXPECT_DOUBLE_EQ(m.recall, 0.5);
  EXPECT_DOUBLE_EQ(m.precision, 1.0);
}

TEST(AveragePrecision, RankingOfAFalsePositiveMatters) {
  std::vector<ImageResult> images(1);
  images[0].truth = {{kA, 0}};
  // False positive first: precision 0 then 0.5 at recall 1 -> envelope 0.5 everywhere.
  images[0].predictions = {{kC, 0, 0.9f}, {kA, 0, 0.8f}};
  EXPECT_NEAR(average_precision(images, 0, 0.5f), 0.5, 1e-12);
  // True positive first: precision 1 at recall 1 -> AP 1; overall precision still 1/2.
  images[0].predictions = {{kC, 0, 0.5f}, {kA, 0, 0.8f}};
  EXPECT_NEAR(average_precision(images, 0, 0.5f), 1.0, 1e-12);
  EXPECT_DOUBLE_EQ(evaluate_detections(images, 1).precision, 0.5);
}

TEST(AveragePrecision, LocalisationCountsOnlyAtLowThresholds) {
  // IoU 0.62: a hit at 0.50, 0.55 and 0.60, a miss at the 7 higher thresholds.
  std::vector<ImageResult> images(1);
  images[0].truth = {{cv::Rect2f(0, 0, 100, 100), 0}};
  images[0].predictions = {{cv::Rect2f(0, 0, 100, 62), 0, 0.9f}};
  const DetectionMetrics m = evaluate_detections(images, 1);
  EXPECT_DOUBLE_EQ(m.map50, 1.0);
  EXPECT_NEAR(m.map50_95, 0.3, 1e-12);
}

TEST(AveragePrecision, WrongClassIsAFalsePositiveAndDuplicatesCountOnce) {
  std::vector<ImageResult> images(1);
  images[0].truth = {{kA, 0}, {kB, 1}};
  images[0].predictions = {{kA, 1, 0.9f}, {kB, 1, 0.8f}, {kB, 1, 0.7f}};
  const DetectionMetrics m = evaluate_detections(images, 2);
  EXPECT_DOUBLE_EQ(m.ap50[0], 0.0);  // class 0: its truth was never predicted
  EXPECT_DOUBLE_EQ(m.ap50[1], 0.5);  // class 1: a false positive ranked first, then the hit
  EXPECT_DOUBLE_EQ(m.map50, 0.25);
  EXPECT_NEAR(m.precision, 1.0 / 3.0, 1e-12);
  EXPECT_DOUBLE_EQ(m.recall, 0.5);
}

TEST(AveragePrecision, ClassesWithoutTruthAreLeftOutAndCrowdIsIgnored) {
  std::vector<ImageResult> images(1);
  images[0].truth = {{kA, 0}, {cv::Rect2f(300, 0, 200, 200), 0, true}};
  // A prediction inside the crowd region is neither hit nor false positive.
  images[0].predictions = {{cv::Rect2f(320, 20, 50, 50), 0, 0.95f}, {kA, 0, 0.9f}};
  const DetectionMetrics m = evaluate_detections(images, 3);
  EXPECT_DOUBLE_EQ(m.map50, 1.0);
  EXPECT_EQ(m.ap50[1], -1.0);
  EXPECT_EQ(m.ap50[2], -1.0);
  EXPECT_EQ(m.truth_boxes, 1);
}

TEST(AveragePrecision, NoPredictionsScoreZero) {
  std::vector<ImageResult> images(1);
  images[0].truth = {{kA, 0}};
  const DetectionMetrics m = evaluate_detections(images, 1);
  EXPECT_DOUBLE_EQ(m.map50, 0.0);
  EXPECT_DOUBLE_EQ(m.precision, 0.0);
  EXPECT_DOUBLE_EQ(m.recall, 0.0);
}

}  // namespace
}  // namespace cvpipe::detect
