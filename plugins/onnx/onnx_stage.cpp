// Stage `onnx`: see onnx_stage.hpp.
#include "onnx_stage.hpp"

#include <sstream>

namespace cvpipe::onnx_stage {

std::vector<ParamSpec> OnnxStage::params() {
  return {
      ParamSpec::model("model", "", "the ONNX model file (.onnx)"),
      ParamSpec::integer("width", 0, 0, 16384, "network input width; 0: the model's, else the frame's rounded up to `multiple`"),
      ParamSpec::integer("height", 0, 0, 16384, "network input height; 0: as width"),
      ParamSpec::integer("multiple", 32, 1, 1024, "free input sizes are padded to multiples of this"),
      ParamSpec::number("scale", 1.0 / 255.0, 0, 1e9, "pixel values are multiplied by this first"),
      ParamSpec::string("mean", "0 0 0", "3 numbers in RGB order, subtracted after `scale`"),
      ParamSpec::string("std", "1 1 1", "3 numbers in RGB order, divided by after `mean`"),
      ParamSpec::boolean("swap_rb", true, "feed RGB (frames are BGR); image output is turned back to BGR"),
      ParamSpec::choice("output", "labels", {"labels", "detections", "image"}, "what the model's output becomes"),
      ParamSpec::path("labels_file", std::string(), true, "class names, one per line (default: the model's class_names metadata)"),
      ParamSpec::integer("top_k", 5, 1, 1000, "labels: how many labels per frame"),
      ParamSpec::number("threshold", 0.0, 0, 1, "labels: leave out labels below this probability"),
      ParamSpec::choice("layout", "auto", {"auto", "rows", "cols"}, "detections: [1, N, 5 + C] rows or [1, 4 + C, N] columns"),
      ParamSpec::number("score_threshold", 0.25, 0, 1, "detections: minimum score"),
      ParamSpec::number("nms_threshold", 0.45, 0, 1, "detections: IoU of non-maximum suppression"),
      ParamSpec::number("out_scale", 255.0, -1e9, 1e9, "image: output values are multiplied by this"),
      ParamSpec::number("out_offset", 0.0, -1e9, 1e9, "image: then this is added, and clipped to 8 bits"),
      ParamSpec::choice("runtime", "opencv", {"opencv", "cvpipe"}, "opencv: OpenCV dnn; cvpipe: import into the engine"),
  };
}

Status parse_triple(const std::string& text, const std::string& what, std::array<float, 3>& out) {
  std::string t = text;
  for (auto& c : t)
    if (c == ',' || c == '[' || c == ']') c = ' ';
  std::istringstream in(t);
  std::vector<float> v;
  for (float x; in >> x;) v.push_back(x);
  if (!in.eof() || v.size() != 3)
    return Status::invalid(what + ": expected 3 numbers (\"0.485 0.456 0.406\"), got '" + text + "'");
  std::copy(v.begin(), v.end(), out.begin());
  return Status::success();
}

Status OnnxStage::configure(const Params& p, const StageContext& ctx) {
  const std::string where = "stage '" + ctx.instance_name + "'";
  if (p.get_string("model").empty()) return Status::invalid(where + ": `model` (an .onnx file) is required");
  InputSpec spec;
  spec.width = static_cast<int>(p.get_int("width"));
  spec.height = static_cast<int>(p.get_int("height"));
  if (spec.height == 0) spec.height = spec.width;
  if (spec.width == 0 && spec.height != 0) spec.width = spec.height;
  spec.multiple = static_cast<int>(p.get_int("multiple"));
  spec.scale = p.get_number("scale");
  CVPIPE_RETURN_IF_ERROR(parse_triple(p.get_string("mean"), where + ": mean", spec.mean));
  CVPIPE_RETURN_IF_ERROR(parse_triple(p.get_string("std"), where + ": std", spec.std));
  for (float s : spec.std)
    if (s == 0.f) return Status::invalid(where + ": std: a value is 0");
  spec.swap_rb = swap_rb_ = p.get_bool("swap_rb");
  spec.engine = p.get_string("runtime") == "cvpipe";
  CVPIPE_RETURN_IF_ERROR(OnnxModel::open(p.get_string("model"), spec, model_));
  output_ = p.get_string("output");
  if (!p.get_string("labels_file").empty())
    CVPIPE_RETURN_IF_ERROR(read_labels_file(p.get_string("labels_file"), names_));
  else
    names_ = model_->class_names();
  top_k_ = static_cast<int>(p.get_int("top_k"));
  threshold_ = static_cast<float>(p.get_number("threshold"));
  detection_.layout = p.get_string("layout");
  detection_.score_threshold = static_cast<float>(p.get_number("score_threshold"));
  detection_.nms_threshold = static_cast<float>(p.get_number("nms_threshold"));
  out_scale_ = p.get_number("out_scale");
  out_offset_ = p.get_number("out_offset");
  return Status::success();
}

Status OnnxStage::process(Frame& frame) {
  cv::Mat out;
  InputMapping mapping;
  const std::string where = "frame " + std::to_string(frame.seq);
  Status s = model_->run(frame.image, out, mapping);
  if (!s.ok()) return Status(s.code(), where + ": " + s.message());
  if (output_ == "labels") s = decode_labels(out, names_, top_k_, threshold_, frame.labels);
  else if (output_ == "detections") s = decode_detections(out, mapping, frame.image.size(), names_, detection_, frame.detections);
  else {
    cv::Mat img;
    s = decode_image(out, mapping, frame.image.size(), out_scale_, out_offset_, swap_rb_, img);
    if (s.ok()) frame.image = img;
  }
  if (!s.ok()) return Status(s.code(), where + ": " + s.message());
  return Status::success();
}

}  // namespace cvpipe::onnx_stage
