// Stage `color`: converts frames to gray, BGR, RGB, HSV or Lab (cv::cvtColor), from gray, BGR or
// BGRA input. 16-bit input works for gray/bgr/rgb; HSV and Lab need 8-bit input (OpenCV's
// integer conversions exist only for 8 bits), otherwise the frame fails with a clear error.
// Sets meta["color_space"] to the target.
#pragma once
#include "cvpipe/stage.hpp"

namespace cvpipe::imgproc {

class Color final : public TransformStage {
 public:
  static std::vector<ParamSpec> params();
  static StageContract contract();
  Status configure(const Params& p, const StageContext& ctx) override;
  Status open(const StreamInfo& in, StreamInfo& out) override;
  Status process(Frame& frame) override;

 private:
  std::string to_;
};

}  // namespace cvpipe::imgproc
