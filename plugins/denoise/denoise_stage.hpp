// Stage `denoise`: removes additive Gaussian noise from each frame with the learned CNN
// (method: cnn, default) or non-local means (method: nlmeans: cvpipe/nlmeans.hpp with h = sigma,
// template 7, search 21). `sigma` is the noise level in 8-bit levels (0-75; scaled by 257 for 16-bit frames)
// or `auto` to estimate it per frame (noise_estimate.hpp); the level used is written to
// frame.meta["denoise_sigma"]. A 3-channel frame whose channels are equal (a gray picture stored
// as BGR) is denoised as gray and returned as 3 equal channels. Models: `model` (one model for every
// frame) or, when it is empty, `model_gray` / `model_color` by the frame's (content's) channel count
// (defaults: the shipped models), each loaded on first use; the host has found every file before
// configure(), so a missing model fails before frames flow. Frames: 8U or 16U, 1, 3 or 4 channels, any size (tiled, so
// memory stays bounded); an empty or unsupported frame is an invalid_argument / unsupported Status.
#pragma once
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cvpipe/stage.hpp"
#include "denoiser.hpp"

namespace cvpipe::denoise {

class DenoiseStage final : public TransformStage {
 public:
  static std::vector<ParamSpec> params();
  static StageContract contract();
  Status configure(const Params& params, const StageContext& ctx) override;
  Status process(Frame& frame) override;

 private:
  Status cnn_for(int channels, CnnDenoiser*& out);

  bool use_cnn_ = true;
  bool auto_sigma_ = false;
  double sigma_ = 25.0;
  std::filesystem::path gray_model_, color_model_;
  std::string dtype_ = "auto";
  CnnOptions options_;
  std::unique_ptr<CnnDenoiser> fixed_, gray_, color_;
};

}  // namespace cvpipe::denoise
