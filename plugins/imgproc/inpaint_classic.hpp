// Stage `inpaint_classic`: fills masked pixels from their surroundings with cv::inpaint (Telea's
// fast marching method or Navier-Stokes). The mask is the frame's plane `mask_plane` (default
// "mask"; non-zero = fill), else the pixels within `tolerance` of `key_color` ("B,G,R", or one
// value for gray frames). A frame with neither is an error; an all-zero mask passes unchanged.
// Filling is cvpipe::inpaint_classic (8U, 16U or 32F, 1, 3 or 4 channels; pixels outside the
// mask unchanged). Sets meta["inpainted_pixels"].
#pragma once
#include <array>
#include <optional>

#include "cvpipe/inpaint_classic.hpp"
#include "cvpipe/stage.hpp"

namespace cvpipe::imgproc {

class InpaintClassic final : public TransformStage {
 public:
  static std::vector<ParamSpec> params();
  Status configure(const Params& p, const StageContext& ctx) override;
  Status process(Frame& frame) override;

  // Parses "B,G,R" or "V" (0..255 each); nullopt when malformed.
  static std::optional<std::array<int, 3>> parse_color(const std::string& text);

 private:
  Status make_mask(const Frame& f, cv::Mat& mask) const;

  InpaintMethod method_ = InpaintMethod::telea;
  double radius_ = 3;
  std::optional<std::array<int, 3>> key_;
  int tolerance_ = 0;
  std::string plane_ = "mask";
};

}  // namespace cvpipe::imgproc
