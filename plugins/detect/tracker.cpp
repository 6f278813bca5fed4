// SORT tracker: see tracker.hpp.
#include "tracker.hpp"

#include <algorithm>
#include <cmath>

namespace cvpipe::detect {

namespace {

// Box -> measurement (cx, cy, area, aspect w/h).
cv::Mat to_measurement(const cv::Rect2f& b) {
  cv::Mat z(4, 1, CV_32F);
  z.at<float>(0) = b.x + b.width / 2.f;
  z.at<float>(1) = b.y + b.height / 2.f;
  z.at<float>(2) = b.width * b.height;
  z.at<float>(3) = b.width / std::max(b.height, 1e-6f);
  return z;
}

cv::Rect2f to_box(const cv::Mat& state) {
  const float s = std::max(state.at<float>(2), 1e-6f), r = std::max(state.at<float>(3), 1e-6f);
  const float w = std::sqrt(s * r), h = s / w;
  return {state.at<float>(0) - w / 2.f, state.at<float>(1) - h / 2.f, w, h};
}

}  // namespace

float box_iou(const cv::Rect2f& a, const cv::Rect2f& b) {
  const float inter = (a & b).area();
  const float uni = a.area() + b.area() - inter;
  return uni > 0.f ? inter / uni : 0.f;
}

SortTracker::Track SortTracker::start_track(const Detection& d) const {
  Track t;
  // State x = (cx, cy, s, r, vcx, vcy, vs); constant velocity except r. Noise as in SORT.
  t.kf.init(7, 4, 0, CV_32F);
  cv::setIdentity(t.kf.transitionMatrix);
  for (int i = 0; i < 3; ++i) t.kf.transitionMatrix.at<float>(i, i + 4) = 1.f;
  t.kf.measurementMatrix = cv::Mat::zeros(4, 7, CV_32F);
  for (int i = 0; i < 4; ++i) t.kf.measurementMatrix.at<float>(i, i) = 1.f;
  cv::setIdentity(t.kf.measurementNoiseCov, cv::Scalar::all(1));
  t.kf.measurementNoiseCov.at<float>(2, 2) = t.kf.measurementNoiseCov.at<float>(3, 3) = 10.f;
  cv::setIdentity(t.kf.errorCovPost, cv::Scalar::all(10));
  for (int i = 4; i < 7; ++i) t.kf.errorCovPost.at<float>(i, i) = 10000.f;
  cv::setIdentity(t.kf.processNoiseCov, cv::Scalar::all(1));
  t.kf.processNoiseCov.at<float>(6, 6) = 0.0001f;
  for (int i = 4; i < 6; ++i) t.kf.processNoiseCov.at<float>(i, i) = 0.01f;
  t.kf.statePost = cv::Mat::zeros(7, 1, CV_32F);
  to_measurement(d.box).copyTo(t.kf.statePost.rowRange(0, 4));
  t.class_id = d.class_id;
  t.hits = 1;
  t.predicted = t.last = d.box;
  return t;
}

std::vector<Detection> SortTracker::update(const std::vector<Detection>& detections) {
  // 1. Predict every track one frame ahead (an area that would turn negative stops shrinking).
  for (auto& t : tracks_) {
    if (t.kf.statePost.at<float>(2) + t.kf.statePost.at<float>(6) <= 0.f) t.kf.statePost.at<float>(6) = 0.f;
    t.predicted = to_box(t.kf.predict());
  }
  // 2. Greedy matching: all (track, detection) pairs of one class with IoU >= iou, best first.
  struct Pair {
    float iou;
    size_t track, det;
  };
  std::vector<Pair> pairs;
  for (size_t ti = 0; ti < tracks_.size(); ++ti)
    for (size_t di = 0; di < detections.size(); ++di) {
      if (tracks_[ti].class_id != detections[di].class_id) continue;
      // The prediction, or the last matched box: a coasting track whose velocity estimate is
      // still rough (few hits) is found again where it was last seen.
      const float v = std::max(box_iou(tracks_[ti].predicted, detections[di].box), box_iou(tracks_[ti].last, detections[di].box));
      if (v >= options_.iou && v > 0.f) pairs.push_back({v, ti, di});
    }
  std::stable_sort(pairs.begin(), pairs.end(), [](const Pair& a, const Pair& b) { return a.iou > b.iou; });
  std::vector<int> det_track(detections.size(), -1);
  std::vector<bool> track_used(tracks_.size(), false);
  for (const auto& p : pairs) {
    if (track_used[p.track] || det_track[p.det] >= 0) continue;
    track_used[p.track] = true;
    det_track[p.det] = static_cast<int>(p.track);
  }
  // 3. Correct matched tracks, age the others, start tracks for unmatched detections.
  for (size_t ti = 0; ti < tracks_.size(); ++ti)
    if (!track_used[ti]) ++tracks_[ti].misses;
  std::vector<Detection> out;
  for (size_t di = 0; di < detections.size(); ++di) {
    if (det_track[di] < 0) continue;
    Track& t = tracks_[det_track[di]];
    t.kf.correct(to_measurement(detections[di].box));
    t.last = detections[di].box;
    t.misses = 0;
    ++t.hits;
    if (t.id == 0 && t.hits >= options_.min_hits) t.id = next_id_++;
  }
  for (size_t di = 0; di < detections.size(); ++di) {
    if (det_track[di] >= 0) continue;
    tracks_.push_back(start_track(detections[di]));
    det_track[di] = static_cast<int>(tracks_.size() - 1);
    if (options_.min_hits <= 1) tracks_.back().id = next_id_++;
  }
  for (size_t di = 0; di < detections.size(); ++di) {
    const Track& t = tracks_[det_track[di]];
    if (t.id == 0) continue;
    Detection d = detections[di];
    d.track_id = t.id;
    out.push_back(std::move(d));
  }
  // 4. End tracks unmatched for longer than max_age.
  std::erase_if(tracks_, [&](const Track& t) { return t.misses > options_.max_age; });
  return out;
}

void SortTracker::reset() {
  tracks_.clear();
  next_id_ = 1;
}

}  // namespace cvpipe::detect
