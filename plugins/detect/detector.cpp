// Detection parameters, backend factory and shared filtering: see detector.hpp.
#include "detector.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include <opencv2/dnn/dnn.hpp>
#include <opencv2/imgproc.hpp>

#include "backends.hpp"
#include "imgproc/common.hpp"

namespace cvpipe::detect {

namespace {

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    std::string item = text.substr(start, end - start);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) out.push_back(item);
    start = end + 1;
  }
  return out;
}

std::string join(const std::vector<std::string>& items) {
  std::string s;
  for (const auto& i : items) s += (s.empty() ? "" : ", ") + i;
  return s;
}

}  // namespace

std::vector<ParamSpec> detector_params() {
  ParamSpec neighbours = ParamSpec::integer("min_neighbors", std::nullopt, 0, 1000,
                                            "raw windows needed to keep a box (haar minNeighbors, hog groupThreshold); "
                                            "0: no grouping; auto: OpenCV's defaults, haar 3, hog 2")
                             .also_accepts({"auto"});
  neighbours.default_value = std::string("auto");
  return {
      ParamSpec::choice("backend", "cnn", {"cnn", "haar", "hog", "onnx"},
                        "cnn: the trained detector in `model`; haar: OpenCV cascades (faces, eyes, bodies); "
                        "hog: OpenCV's HOG people detector; onnx: a YOLO-style .onnx `model` (docs/onnx.md)"),
      ParamSpec::model("model", "models/detect_digits.safetensors", "cnn: the detector model file (default: the shipped digits detector)"),
      ParamSpec::integer("width", 0, 0, 16384, "cnn: network input width (letterbox); 0: the frame's own size padded to a multiple of 32"),
      ParamSpec::integer("height", 0, 0, 16384, "cnn: network input height (letterbox); 0: the frame's own size padded to a multiple of 32"),
      ParamSpec::string("cascade", std::string("face"),
                        "haar: cascade short name (face, eye, body, upperbody, ...) or .xml path; a comma list = one class each"),
      ParamSpec::number("score", 0.3, 0.0, 1.0, "keep detections scoring at least this"),
      ParamSpec::number("iou", 0.45, 0.0, 1.0, "NMS: drop a box overlapping a higher-scoring one of its class by more (IoU)"),
      ParamSpec::integer("max_detections", 100, 1, 100000, "at most this many detections per frame, best first"),
      ParamSpec::string("classes", std::string(), "comma list of class names or ids to keep; empty: all"),
      neighbours,
      ParamSpec::number("scale_step", 1.1, 1.01, 4.0, "haar/hog: image pyramid step (smaller: slower, finds more sizes)"),
      ParamSpec::integer("min_size", 0, 0, 100000, "smallest object side in pixels (0: the backend's window)"),
      ParamSpec::number("upscale", 1.0, 0.1, 8.0, "resize frames by this factor before detecting (> 1 finds smaller objects)"),
  };
}

Status parse_detector_options(const Params& p, DetectorOptions& o) {
  o.backend = p.get_string("backend");
  o.model = p.get_string("model");
  o.input_size = cv::Size(static_cast<int>(p.get_int("width")), static_cast<int>(p.get_int("height")));
  if ((o.input_size.width == 0) != (o.input_size.height == 0))
    return Status::invalid("parameters 'width' and 'height': give both (letterbox) or neither (the frame's own size)");
  o.cascades = split_list(p.get_string("cascade"));
  if (o.backend == "haar" && o.cascades.empty()) return Status::invalid("parameter 'cascade': empty; name a cascade, e.g. face");
  o.score = static_cast<float>(p.get_number("score"));
  o.iou = static_cast<float>(p.get_number("iou"));
  o.max_detections = static_cast<int>(p.get_int("max_detections"));
  o.classes = split_list(p.get_string("classes"));
  o.min_neighbors = p.is_keyword("min_neighbors", "auto") ? (o.backend == "haar" ? 3 : 2)
                                                          : static_cast<int>(p.get_int("min_neighbors"));
  o.scale_step = p.get_number("scale_step");
  o.min_size = static_cast<int>(p.get_int("min_size"));
  o.upscale = p.get_number("upscale");
  return {};
}

Status create_backend(const DetectorOptions& o, std::unique_ptr<Detector>& out) {
  if (o.backend == "cnn") return create_cnn(o, out);
  if (o.backend == "haar") return create_haar(o, out);
  if (o.backend == "hog") return create_hog(o, out);
  if (o.backend == "onnx") return create_onnx(o, out);
  return Status::invalid("unknown detection backend '" + o.backend + "' (cnn, haar, hog, onnx)");
}

std::vector<Detection> filter_detections(std::vector<Detection> candidates, float min_score, float iou, int max_detections,
                                         const std::vector<bool>& keep_class) {
  const auto kept_class = [&](int c) {
    return keep_class.empty() || (c >= 0 && c < static_cast<int>(keep_class.size()) && keep_class[c]);
  };
  std::erase_if(candidates, [&](const Detection& d) {
    return !(d.score >= min_score) || !kept_class(d.class_id) || !(d.box.width > 0.f) || !(d.box.height > 0.f);
  });
  std::vector<int> classes;
  for (const auto& d : candidates) classes.push_back(d.class_id);
  std::sort(classes.begin(), classes.end());
  classes.erase(std::unique(classes.begin(), classes.end()), classes.end());
  std::vector<Detection> out;
  for (int c : classes) {
    std::vector<cv::Rect2d> boxes;
    std::vector<float> scores;
    std::vector<const Detection*> of_class;
    for (const auto& d : candidates) {
      if (d.class_id != c) continue;
      boxes.emplace_back(d.box.x, d.box.y, d.box.width, d.box.height);
      scores.push_back(d.score);
      of_class.push_back(&d);
    }
    std::vector<int> keep;
    cv::dnn::NMSBoxes(boxes, scores, min_score, iou, keep);
    for (int k : keep) out.push_back(*of_class[k]);
  }
  std::stable_sort(out.begin(), out.end(), [](const Detection& a, const Detection& b) { return a.score > b.score; });
  if (static_cast<int>(out.size()) > max_detections) out.resize(max_detections);
  return out;
}

Status ObjectDetector::configure(const DetectorOptions& options) {
  options_ = options;
  DetectorOptions backend_options = options;
  backend_options.min_size = static_cast<int>(std::lround(options.min_size * options.upscale));
  CVPIPE_RETURN_IF_ERROR(create_backend(backend_options, backend_));
  keep_class_.clear();
  if (options.classes.empty()) return {};
  const auto& names = backend_->class_names();
  keep_class_.assign(names.size(), false);
  for (const auto& c : options.classes) {
    auto it = std::find(names.begin(), names.end(), c);
    if (it != names.end()) {
      keep_class_[it - names.begin()] = true;
      continue;
    }
    char* end = nullptr;
    const long id = std::strtol(c.c_str(), &end, 10);
    if (end && *end == '\0' && id >= 0 && id < static_cast<long>(names.size())) {
      keep_class_[id] = true;
      continue;
    }
    return Status::invalid("parameter 'classes': unknown class '" + c + "'; backend " + options.backend +
                           " detects: " + join(names) + " (names or ids 0.." + std::to_string(names.size() - 1) + ")");
  }
  return {};
}

Status ObjectDetector::detect(const cv::Mat& image, std::vector<Detection>& out) {
  if (image.empty()) return Status::invalid("empty image");
  const int d = image.depth(), c = image.channels();
  if ((d != CV_8U && d != CV_16U && d != CV_32F) || (c != 1 && c != 3 && c != 4))
    return Status::unsupported("image of type " + imgproc::depth_name(d) + " with " + std::to_string(c) +
                               " channels; expected an 8-bit, 16-bit or float image with 1, 3 or 4 channels");
  try {
    cv::Mat bgr = imgproc::to_bgr8(image);
    const double s = options_.upscale;
    if (s != 1.0) {
      cv::Mat scaled;
      cv::resize(bgr, scaled, cv::Size(), s, s, s > 1.0 ? cv::INTER_LINEAR : cv::INTER_AREA);
      bgr = scaled;
    }
    std::vector<Detection> candidates;
    if (!bgr.empty()) CVPIPE_RETURN_IF_ERROR(backend_->detect(bgr, candidates));
    if (s != 1.0) {
      const float k = static_cast<float>(1.0 / s);
      for (auto& det : candidates) det.box = cv::Rect2f(det.box.x * k, det.box.y * k, det.box.width * k, det.box.height * k);
    }
    out = filter_detections(std::move(candidates), options_.score, options_.iou, options_.max_detections, keep_class_);
  } catch (const cv::Exception& e) {
    return Status::runtime("OpenCV: " + e.err);
  }
  return {};
}

}  // namespace cvpipe::detect
