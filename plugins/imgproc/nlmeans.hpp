// Stage `nlmeans`: non-local means denoising. 8-bit gray frames use cv::fastNlMeansDenoising,
// 8-bit color frames cv::fastNlMeansDenoisingColored (separate strength for colour), 16-bit
// frames cv::fastNlMeansDenoising with the L1 norm (the only 16-bit mode OpenCV has; h scaled
// by 257). Strengths are given in 8-bit levels.
#pragma once
#include "cvpipe/stage.hpp"

namespace cvpipe::imgproc {

class NlMeans final : public Stage {
 public:
  static std::vector<ParamSpec> params();
  Status configure(const Params& p, const StageContext& ctx) override;
  Status process(Frame& frame) override;

 private:
  float h_ = 10, h_color_ = 10;
  int template_ = 7, search_ = 21;
};

}  // namespace cvpipe::imgproc
