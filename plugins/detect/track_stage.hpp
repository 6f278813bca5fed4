// Stage `track`: follows the frame's detections across a video with a SORT tracker (tracker.hpp)
// and keeps those of confirmed tracks, each with its persistent `track_id` (drawn by `draw`,
// written by the jsonl sink). Works after any detect backend; the image passes unchanged. One
// stream per instance, frames in order; the tracker starts afresh at open().
#pragma once
#include "cvpipe/stage.hpp"
#include "tracker.hpp"

namespace cvpipe::detect {

class TrackStage final : public TransformStage {
 public:
  static std::vector<ParamSpec> params();
  Status configure(const Params& p, const StageContext& ctx) override;
  Status open(const StreamInfo& in, StreamInfo& out) override;
  Status process(Frame& frame) override;

 private:
  SortTracker tracker_;
};

}  // namespace cvpipe::detect
