// Stage `gaussian_blur`: Gaussian smoothing (cv::GaussianBlur) over gray or color frames, 8 or 16
// bits. The kernel side must be odd (or 0, derived from sigma); checked at configure time.
#pragma once
#include "cvpipe/stage.hpp"

namespace cvpipe::imgproc {

class GaussianBlur final : public TransformStage {
 public:
  static std::vector<ParamSpec> params();
  static Status check_params(const Params& p);
  Status configure(const Params& p, const StageContext& ctx) override;
  Status process(Frame& frame) override;

 private:
  int ksize_ = 5;
  double sigma_ = 0;
};

}  // namespace cvpipe::imgproc
