// SORT-style multi-object tracker: gives detections persistent ids across the frames of a video.
//
// Each track has a cv::KalmanFilter over (centre x, centre y, area, aspect ratio) and their
// velocities (aspect ratio constant), as in SORT (Bewley et al. 2016). Per frame: every track is
// predicted one step; detections are matched to tracks of the same class greedily, highest IoU
// first, while the IoU is at least `iou` (the larger of the IoU with the track's prediction and
// with its last matched box, so a coasting track is also found where it was last seen); a
// matched track is corrected with its detection, an unmatched detection starts a new track, a
// track unmatched for more than `max_age` frames ends.
// A track is confirmed once it has been matched `min_hits` times and keeps its id from then on,
// also across misses of up to `max_age` frames (its prediction coasts meanwhile). update() returns
// the detections of confirmed tracks, each with the track's id (1, 2, ...; never reused) and the
// detection's own box. Not thread-safe; frames must come in order.
#pragma once
#include <vector>

#include <opencv2/video/tracking.hpp>

#include "cvpipe/frame.hpp"

namespace cvpipe::detect {

struct TrackerOptions {
  float iou = 0.3f;   // least IoU between a prediction and a detection to match them
  int max_age = 15;   // frames a track survives without a match
  int min_hits = 3;   // matches before a track is reported
};

// Intersection over union of two boxes (0 when either is empty).
float box_iou(const cv::Rect2f& a, const cv::Rect2f& b);

class SortTracker {
 public:
  explicit SortTracker(TrackerOptions options = {}) : options_(options) {}

  std::vector<Detection> update(const std::vector<Detection>& detections);
  void reset();
  // Tracks alive (confirmed or not), for tests and diagnostics.
  size_t track_count() const { return tracks_.size(); }

 private:
  struct Track {
    cv::KalmanFilter kf;
    int id = 0;          // 0 until confirmed
    int class_id = -1;
    int hits = 0;
    int misses = 0;      // frames since the last match
    cv::Rect2f predicted;
    cv::Rect2f last;     // the last matched detection's box
  };
  Track start_track(const Detection& d) const;

  TrackerOptions options_;
  std::vector<Track> tracks_;
  int next_id_ = 1;
};

}  // namespace cvpipe::detect
