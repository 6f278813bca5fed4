// Stage `inpaint`: fills the holes of each frame, with the learned network (method: cnn, default)
// or cv::inpaint (method: classic, `classic: telea | ns`, `radius`). Where the hole comes from
// (`mask`):
//   files       mask_dir/<frame file stem>.<png|bmp|tif|...>, one mask image per input, non-zero = hole
//   color       the pixels of `mask_color` (default magenta 255,0,255 BGR) within `tolerance`
//   plane       the frame's "mask" plane (non-zero = hole)
//   detections  the boxes of an earlier detect stage; `classes` (labels or ids, comma-separated)
//               keeps only some ("remove the detected objects")
// `grow` dilates the hole by that many pixels (for soft or anti-aliased mask edges).
// Guarantees (inpainter.hpp): pixels outside the hole are kept bit for bit, hole contents are
// ignored, an all-zero mask passes the frame unchanged, a mask of the wrong size or a missing
// mask file is an error naming the file. Writes frame.meta["inpainted_pixels"]. The model file is
// loaded in configure(), so a missing or damaged model fails before frames flow.
#pragma once
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cvpipe/stage.hpp"
#include "inpainter.hpp"

namespace cvpipe::inpaint {

class InpaintStage final : public TransformStage {
 public:
  static std::vector<ParamSpec> params();
  static StageContract contract() { return {{{CV_8U, CV_16U}, {}, {}}, {{CV_8U, CV_16U}, {}, {"inpainted_pixels"}}}; }
  Status configure(const Params& params, const StageContext& ctx) override;
  Status process(Frame& frame) override;

 private:
  enum class Source { files, color, plane, detections };
  Status frame_mask(const Frame& frame, cv::Mat& mask) const;

  Source source_ = Source::files;
  std::filesystem::path mask_dir_;
  cv::Scalar color_{255, 0, 255};
  int tolerance_ = 0;
  std::vector<std::string> classes_;
  int grow_ = 0;
  bool use_cnn_ = true;
  InpaintMethod classic_ = InpaintMethod::telea;
  double radius_ = 3.0;
  std::unique_ptr<Inpainter> cnn_;
};

}  // namespace cvpipe::inpaint
