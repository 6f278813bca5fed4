// Stage `onnx`: runs any ONNX model on each frame with OpenCV dnn (onnx_model.hpp) and writes its
// output into the frame as labels (top-k Labels), detections (YOLO-style single-shot outputs) or
// the image (image-to-image and probability-map outputs). Parameters: see params() and
// docs/onnx.md. Errors name the stage's model file; a frame that fails leaves the frame unchanged.
// Not thread-safe (one instance per thread, as the host guarantees).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "cvpipe/stage.hpp"
#include "onnx_model.hpp"

namespace cvpipe::onnx_stage {

class OnnxStage final : public TransformStage {
 public:
  static std::vector<ParamSpec> params();

  Status configure(const Params& params, const StageContext& ctx) override;
  Status process(Frame& frame) override;

 private:
  std::unique_ptr<OnnxModel> model_;
  std::string output_ = "labels";
  std::vector<std::string> names_;
  int top_k_ = 5;
  float threshold_ = 0.f;
  DetectionDecoding detection_;
  double out_scale_ = 255, out_offset_ = 0;
  bool swap_rb_ = true;
};

// Parses "a, b, c" (commas and/or spaces) into three numbers; errors name `what`.
Status parse_triple(const std::string& text, const std::string& what, std::array<float, 3>& out);

}  // namespace cvpipe::onnx_stage
