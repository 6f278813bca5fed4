// Stage `draw`: draws the frame's detections (boxes with "label score" tags, one colour per
// class; a tracked detection shows "#ID label score" in one colour per track id) and its top label (top-left corner) onto a copy of the image. Gray frames become BGR so
// colours show; 16-bit frames stay 16-bit (colours scaled). Frames with nothing to draw pass
// unchanged.
#pragma once
#include "cvpipe/stage.hpp"

namespace cvpipe::imgproc {

class Draw final : public TransformStage {
 public:
  static std::vector<ParamSpec> params();
  Status configure(const Params& p, const StageContext& ctx) override;
  Status open(const StreamInfo& in, StreamInfo& out) override;
  Status process(Frame& frame) override;

 private:
  int thickness_ = 2;
  double font_scale_ = 0.5;
  bool scores_ = true, boxes_ = true, labels_ = true;
};

}  // namespace cvpipe::imgproc
