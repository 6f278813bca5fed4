// Stage `translate`: runs a translate model (translate_net.hpp) on every frame: 8/16-bit gray,
// BGR or BGRA in, BGR of the same size and depth out. The model is loaded in configure().
// Stage `night_style`: the synthetic day -> night task itself (night_style.hpp), 8-bit frames;
// with it a pipeline writes the b/ half of a folder of pairs.
#pragma once
#include <memory>

#include "cvpipe/stage.hpp"
#include "translate_net.hpp"

namespace cvpipe::colorize {

class TranslateStage final : public TransformStage {
 public:
  static std::vector<ParamSpec> params();
  Status configure(const Params& params, const StageContext& ctx) override;
  Status open(const StreamInfo& in, StreamInfo& out) override;
  Status process(Frame& frame) override;

 private:
  std::unique_ptr<TranslateNet> net_;
};

class NightStyleStage final : public TransformStage {
 public:
  static std::vector<ParamSpec> params() { return {}; }
  static StageContract contract() { return {{{CV_8U}, {1, 3, 4}, {}}, {{CV_8U}, {3}, {}}}; }
  Status configure(const Params&, const StageContext&) override { return {}; }
  Status open(const StreamInfo& in, StreamInfo& out) override;
  Status process(Frame& frame) override;
};

}  // namespace cvpipe::colorize
