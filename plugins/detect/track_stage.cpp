// Stage `track`: see track_stage.hpp.
#include "track_stage.hpp"

namespace cvpipe::detect {

std::vector<ParamSpec> TrackStage::params() {
  return {
      ParamSpec::number("iou", 0.3, 0.01, 1.0, "least IoU between a track's predicted box and a detection to match them"),
      ParamSpec::integer("max_age", 15, 0, 100000, "frames a track survives without a matching detection"),
      ParamSpec::integer("min_hits", 3, 1, 1000, "matched detections before a track gets an id and is reported"),
  };
}

Status TrackStage::configure(const Params& p, const StageContext&) {
  TrackerOptions o;
  o.iou = static_cast<float>(p.get_number("iou"));
  o.max_age = static_cast<int>(p.get_int("max_age"));
  o.min_hits = static_cast<int>(p.get_int("min_hits"));
  tracker_ = SortTracker(o);
  return {};
}

Status TrackStage::open(const StreamInfo& in, StreamInfo& out) {
  out = in;
  tracker_.reset();
  return {};
}

Status TrackStage::process(Frame& f) {
  f.detections = tracker_.update(f.detections);
  return {};
}

}  // namespace cvpipe::detect
