// Detection metrics as COCO computes them: per class and IoU threshold, predictions sorted by
// score (descending) are matched greedily to the best-overlapping unmatched ground-truth box of
// the same image and class; a prediction matching nothing but a crowd region (IoU = intersection
// over the prediction's area) is ignored, any other unmatched one is a false positive. AP is the
// 101-point interpolated area under the precision envelope (recall 0, 0.01, ..., 1). mAP is the
// mean over classes that have ground truth (classes without any are left out, as in COCO);
// map50_95 averages the IoU thresholds 0.50, 0.55, ..., 0.95. precision and recall count all
// predictions given at IoU 0.5 (precision 0 when there are none). Pure functions.
#pragma once
#include <vector>

#include <opencv2/core.hpp>

namespace cvpipe::detect {

struct TruthBox {
  cv::Rect2f box;
  int class_id = 0;
  bool crowd = false;
};

struct PredictedBox {
  cv::Rect2f box;
  int class_id = 0;
  float score = 0.f;
};

struct ImageResult {
  std::vector<TruthBox> truth;
  std::vector<PredictedBox> predictions;
};

struct DetectionMetrics {
  double map50 = 0, map50_95 = 0, precision = 0, recall = 0;
  std::vector<double> ap50;     // per class (-1: no ground truth)
  std::vector<double> ap50_95;  // per class (-1: no ground truth)
  int images = 0, truth_boxes = 0, predictions = 0;
};

// AP at one IoU threshold for one class over all images; -1 when the class has no ground truth.
double average_precision(const std::vector<ImageResult>& images, int class_id, float iou_threshold);

DetectionMetrics evaluate_detections(const std::vector<ImageResult>& images, int num_classes);

}  // namespace cvpipe::detect
