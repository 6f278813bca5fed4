// COCO-style detection metrics: see average_precision.hpp.
#include "average_precision.hpp"

#include <algorithm>

#include "tracker.hpp"

namespace cvpipe::detect {

namespace {

struct Matched {
  float score;
  int outcome;  // 1 true positive, 0 false positive, -1 ignored (matched a crowd region)
};

// Outcomes of one class's predictions at one threshold, and the count of (non-crowd) truths.
std::vector<Matched> match_class(const std::vector<ImageResult>& images, int class_id, float t, int& truths) {
  std::vector<Matched> out;
  truths = 0;
  for (const auto& im : images) {
    std::vector<const TruthBox*> gt, crowd;
    for (const auto& g : im.truth)
      if (g.class_id == class_id) (g.crowd ? crowd : gt).push_back(&g);
    truths += static_cast<int>(gt.size());
    std::vector<const PredictedBox*> preds;
    for (const auto& p : im.predictions)
      if (p.class_id == class_id) preds.push_back(&p);
    std::stable_sort(preds.begin(), preds.end(), [](auto* a, auto* b) { return a->score > b->score; });
    std::vector<bool> used(gt.size(), false);
    for (const auto* p : preds) {
      int best = -1;
      float best_iou = t;
      for (size_t g = 0; g < gt.size(); ++g) {
        if (used[g]) continue;
        const float v = box_iou(p->box, gt[g]->box);
        if (v >= best_iou) best_iou = v, best = static_cast<int>(g);
      }
      int outcome = 0;
      if (best >= 0) {
        used[best] = true;
        outcome = 1;
      } else {
        for (const auto* c : crowd) {
          const float area = p->box.area();
          if (area > 0.f && (p->box & c->box).area() / area >= t) outcome = -1;
        }
      }
      out.push_back({p->score, outcome});
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const Matched& a, const Matched& b) { return a.score > b.score; });
  return out;
}

}  // namespace

double average_precision(const std::vector<ImageResult>& images, int class_id, float iou_threshold) {
  int truths = 0;
  const auto matched = match_class(images, class_id, iou_threshold, truths);
  if (truths == 0) return -1.0;
  std::vector<double> precision, recall;
  int tp = 0, fp = 0;
  for (const auto& m : matched) {
    if (m.outcome < 0) continue;
    (m.outcome ? tp : fp) += 1;
    precision.push_back(static_cast<double>(tp) / (tp + fp));
    recall.push_back(static_cast<double>(tp) / truths);
  }
  // Precision envelope: the best precision at this recall or any higher one.
  for (int i = static_cast<int>(precision.size()) - 2; i >= 0; --i) precision[i] = std::max(precision[i], precision[i + 1]);
  double sum = 0.0;
  for (int k = 0; k <= 100; ++k) {
    const double r = k / 100.0;
    // First point whose recall reaches r (COCO: searchsorted left, with a small tolerance).
    auto it = std::lower_bound(recall.begin(), recall.end(), r - 1e-12);
    if (it != recall.end()) sum += precision[it - recall.begin()];
  }
  return sum / 101.0;
}

DetectionMetrics evaluate_detections(const std::vector<ImageResult>& images, int num_classes) {
  DetectionMetrics m;
  m.images = static_cast<int>(images.size());
  int counted = 0;
  for (int c = 0; c < num_classes; ++c) {
    const double ap50 = average_precision(images, c, 0.5f);
    double ap = -1.0;
    if (ap50 >= 0.0) {
      ap = 0.0;
      for (int k = 0; k < 10; ++k) ap += average_precision(images, c, 0.5f + 0.05f * k);
      ap /= 10.0;
      m.map50 += ap50;
      m.map50_95 += ap;
      ++counted;
    }
    m.ap50.push_back(ap50);
    m.ap50_95.push_back(ap);
  }
  if (counted) {
    m.map50 /= counted;
    m.map50_95 /= counted;
  }
  int tp = 0, fp = 0;
  for (int c = 0; c < num_classes; ++c) {
    int truths = 0;
    for (const auto& r : match_class(images, c, 0.5f, truths)) {
      if (r.outcome > 0) ++tp;
      if (r.outcome == 0) ++fp;
    }
    m.truth_boxes += truths;
  }
  // Predictions of classes outside [0, num_classes) match nothing: false positives.
  for (const auto& im : images)
    for (const auto& p : im.predictions) {
      ++m.predictions;
      if (p.class_id < 0 || p.class_id >= num_classes) ++fp;
    }
  m.precision = tp + fp > 0 ? static_cast<double>(tp) / (tp + fp) : 0.0;
  m.recall = m.truth_boxes > 0 ? static_cast<double>(tp) / m.truth_boxes : 0.0;
  return m;
}

}  // namespace cvpipe::detect
