// Stage `nlmeans`: non-local means denoising with cvpipe::nlmeans (cvpipe/nlmeans.hpp, the same
// function as the denoise plugin's baseline): 8-bit gray and colour (h_color for the colour
// components), 16-bit at full precision with the L1 distance, alpha kept. Strengths are given in
// 8-bit levels.
#pragma once
#include "cvpipe/stage.hpp"

namespace cvpipe::imgproc {

class NlMeans final : public TransformStage {
 public:
  static std::vector<ParamSpec> params();
  static StageContract contract();
  static Status check_params(const Params& p);
  Status configure(const Params& p, const StageContext& ctx) override;
  Status process(Frame& frame) override;

 private:
  float h_ = 10, h_color_ = 10;
  int template_ = 7, search_ = 21;
};

}  // namespace cvpipe::imgproc
