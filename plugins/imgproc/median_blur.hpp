// Stage `median_blur`: median filter (cv::medianBlur) over gray or color frames; 16-bit input
// with ksize 3 or 5 (OpenCV's limit; larger kernels need 8 bits and fail with a clear error).
// The aperture side must be odd; checked at configure time.
#pragma once
#include "cvpipe/stage.hpp"

namespace cvpipe::imgproc {

class MedianBlur final : public TransformStage {
 public:
  static std::vector<ParamSpec> params();
  static Status check_params(const Params& p);
  Status configure(const Params& p, const StageContext& ctx) override;
  Status process(Frame& frame) override;

 private:
  int ksize_ = 5;
};

}  // namespace cvpipe::imgproc
