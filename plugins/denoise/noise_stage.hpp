// Stage `add_noise`: adds seeded Gaussian noise (synthetic_noise.hpp) to each frame, for demos,
// tests and benchmarks of the denoiser. The clean frame is kept in frame.planes["original"]. The
// noise of frame `seq` depends only on (seed, seq). 8U and 16U frames, any channel count.
#pragma once
#include <cstdint>
#include <vector>

#include "cvpipe/stage.hpp"

namespace cvpipe::denoise {

class AddNoiseStage final : public TransformStage {
 public:
  static std::vector<ParamSpec> params();
  static StageContract contract();
  Status configure(const Params& params, const StageContext& ctx) override;
  Status process(Frame& frame) override;

 private:
  double sigma_ = 25.0;
  std::uint64_t seed_ = 0;
  bool keep_original_ = true;
};

}  // namespace cvpipe::denoise
