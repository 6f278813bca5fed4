// Stage `detect`: sets each frame's detections (box in the frame's pixels, class id, label, score)
// from a detection backend (detector.hpp): haar cascades or the HOG people detector. The image
// passes unchanged. Frames of any size, gray or colour, 8/16-bit or float; an empty image is an
// error for that frame.
#pragma once
#include "cvpipe/stage.hpp"
#include "detector.hpp"

namespace cvpipe::detect {

class DetectStage final : public TransformStage {
 public:
  static std::vector<ParamSpec> params();
  static Status check_params(const Params& p);  // the backend's parameters fit together
  Status configure(const Params& p, const StageContext& ctx) override;
  Status process(Frame& frame) override;

 private:
  std::string name_ = "detect";
  ObjectDetector detector_;
};

}  // namespace cvpipe::detect
