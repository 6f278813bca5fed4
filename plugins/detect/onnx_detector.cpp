// Backend `onnx`: a YOLO-style single-shot ONNX model (`model` is the .onnx file) run by the onnx
// plugin's OnnxModel on OpenCV dnn (plugins/onnx/onnx_model.hpp, docs/onnx.md): RGB / 255, the
// model's input size (or width x height), [1, N, 5 + C] rows or [1, 4 + C, N] columns decoded to
// boxes in the image's pixels. Class names: the model's class_names metadata, else the class ids.
// The shared filtering (score, classes, NMS, max_detections) is ObjectDetector's.
#include "backends.hpp"
#include "onnx_model.hpp"

namespace cvpipe::detect {

namespace {

class OnnxDetector final : public Detector {
 public:
  OnnxDetector(std::unique_ptr<onnx_stage::OnnxModel> model, float min_score) : model_(std::move(model)) {
    names_ = model_->class_names();
    decoding_.score_threshold = min_score;
    decoding_.nms_threshold = 1.f;  // NMS is the shared filter's
    decoding_.max_detections = 1 << 30;
  }
  const std::vector<std::string>& class_names() const override { return names_; }
  Status detect(const cv::Mat& bgr8, std::vector<Detection>& candidates) override {
    cv::Mat out;
    onnx_stage::InputMapping mapping;
    CVPIPE_RETURN_IF_ERROR(model_->run(bgr8, out, mapping));
    CVPIPE_RETURN_IF_ERROR(onnx_stage::decode_detections(out, mapping, bgr8.size(), names_, decoding_, candidates));
    if (names_.empty())  // learn the class count from the first output
      for (const auto& d : candidates)
        while (static_cast<int>(names_.size()) <= d.class_id) names_.push_back(std::to_string(names_.size()));
    return {};
  }

 private:
  std::unique_ptr<onnx_stage::OnnxModel> model_;
  std::vector<std::string> names_;
  onnx_stage::DetectionDecoding decoding_;
};

}  // namespace

Status create_onnx(const DetectorOptions& options, std::unique_ptr<Detector>& out) {
  onnx_stage::InputSpec spec;
  spec.width = options.input_size.width;
  spec.height = options.input_size.height;
  std::unique_ptr<onnx_stage::OnnxModel> model;
  CVPIPE_RETURN_IF_ERROR(onnx_stage::OnnxModel::open(options.model, spec, model));
  out = std::make_unique<OnnxDetector>(std::move(model), options.score);
  return {};
}

}  // namespace cvpipe::detect
