// Stage `colorize`: colourises every frame with the colorize model (colorize_net.hpp). Gray or
// colour input (a colour frame is colourised from its L alone: its own colours are replaced);
// output BGR of the input depth (BGRA keeps alpha), with the input's L kept at full resolution.
// `saturation` scales the model's chroma (1 = as tuned at training, 0 = the grayscale picture).
// The model is loaded in configure(), so a missing or broken file fails before frames flow.
// Frames: 8U or 16U, 1, 3 or 4 channels, any size; others are unsupported Status errors.
#pragma once
#include <memory>

#include "colorize_net.hpp"
#include "cvpipe/stage.hpp"

namespace cvpipe::colorize {

class ColorizeStage final : public TransformStage {
 public:
  static std::vector<ParamSpec> params();
  Status configure(const Params& params, const StageContext& ctx) override;
  Status open(const StreamInfo& in, StreamInfo& out) override;
  Status process(Frame& frame) override;

 private:
  std::unique_ptr<ColorizeNet> net_;
  float saturation_ = 1.f;
};

}  // namespace cvpipe::colorize
