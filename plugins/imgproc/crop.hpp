// Stage `crop`: keeps a rectangle of each frame. The rectangle is clamped to the image (a
// width/height of 0 reaches the right/bottom edge); one that misses the image entirely is an
// error. Planes of the image's size are cropped along; detections are shifted and clipped
// (those left without area are dropped).
#pragma once
#include "cvpipe/stage.hpp"

namespace cvpipe::imgproc {

class Crop final : public TransformStage {
 public:
  static std::vector<ParamSpec> params();
  Status configure(const Params& p, const StageContext& ctx) override;
  Status open(const StreamInfo& in, StreamInfo& out) override;
  Status process(Frame& frame) override;

  // The clamped rectangle for an image size (may be empty).
  cv::Rect region(cv::Size image) const;

 private:
  int x_ = 0, y_ = 0, width_ = 0, height_ = 0;
};

}  // namespace cvpipe::imgproc
