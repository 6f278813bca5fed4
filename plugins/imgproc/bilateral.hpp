// Stage `bilateral`: edge-preserving smoothing (cv::bilateralFilter) over gray or color frames.
// 16-bit input is filtered in float (sigma_color scaled to the 16-bit range) and converted back,
// since OpenCV's filter takes only 8-bit and float images.
#pragma once
#include "cvpipe/stage.hpp"

namespace cvpipe::imgproc {

class Bilateral final : public TransformStage {
 public:
  static std::vector<ParamSpec> params();
  Status configure(const Params& p, const StageContext& ctx) override;
  Status process(Frame& frame) override;

 private:
  int d_ = 9;
  double sigma_color_ = 75, sigma_space_ = 75;
};

}  // namespace cvpipe::imgproc
