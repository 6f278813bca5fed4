// Stage `resize`: scales frames to a width and/or height (keeping the aspect ratio unless told
// not to) or by a factor. Planes of the image's size are resized along (nearest-neighbour for
// 1-channel 8-bit planes such as masks) and detection boxes are scaled, so they stay aligned.
#pragma once
#include "cvpipe/stage.hpp"

namespace cvpipe::imgproc {

class Resize final : public TransformStage {
 public:
  static std::vector<ParamSpec> params();
  static Status check_params(const Params& p);
  Status configure(const Params& p, const StageContext& ctx) override;
  Status open(const StreamInfo& in, StreamInfo& out) override;
  Status process(Frame& frame) override;

  // The output size for an input size (at least 1x1).
  cv::Size target_size(cv::Size in) const;

 private:
  int width_ = 0, height_ = 0;
  double scale_ = 0;
  bool keep_aspect_ = true;
  std::string interpolation_;
};

}  // namespace cvpipe::imgproc
