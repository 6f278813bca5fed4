// Object detection shared by the `detect` stage and `cvpipe eval detect`.
//
// A backend (Detector) turns an 8-bit BGR image into candidate detections in that image's pixels,
// with a score in [0, 1]. ObjectDetector wraps a backend with what every backend shares: input
// conversion (gray, BGRA, 16-bit and float images become 8-bit BGR), the optional `upscale`
// (boxes mapped back to the original pixels), then score threshold, class filter, per-class NMS
// (cv::dnn::NMSBoxes) and the max_detections cap, best score first. A new backend implements
// Detector and is added to create_backend(); the parameters, stage and eval command stay as they are.
// Instances are not thread-safe (one per stage instance / evaluation).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "cvpipe/frame.hpp"
#include "cvpipe/params.hpp"
#include "cvpipe/status.hpp"

namespace cvpipe::detect {

struct DetectorOptions {
  std::string backend = "cnn";       // "cnn" | "haar" | "hog" | "onnx"
  std::string model;                  // cnn, onnx: the model file (found by the host)
  cv::Size input_size;                // cnn: letterbox into this size; 0 x 0: the image's own size, stride-padded
  std::vector<std::string> cascades;  // haar: one cascade (short name or .xml path) per class
  float score = 0.3f;                 // keep detections scoring at least this
  float iou = 0.45f;                  // NMS: drop a box overlapping a better one of its class by more
  int max_detections = 100;           // per image, best first
  std::vector<std::string> classes;   // class names or ids to keep; empty: all
  int min_neighbors = 2;              // haar minNeighbors / hog groupThreshold (0: raw windows)
  double scale_step = 1.1;            // image pyramid step
  int min_size = 0;                   // smallest object side in original pixels (0: the backend's window)
  double upscale = 1.0;               // resize factor applied before detection (small objects: > 1)
};

// The detection parameters (stage and eval command declare the same ones).
std::vector<ParamSpec> detector_params();
// Reads validated values of detector_params(); invalid_argument for bad lists (e.g. cascade).
Status parse_detector_options(const Params& params, DetectorOptions& out);

class Detector {
 public:
  virtual ~Detector() = default;
  // Class names, indexed by class id.
  virtual const std::vector<std::string>& class_names() const = 0;
  // Candidates in `bgr8`'s pixels (class_id, label, score in [0, 1]), before the shared filtering.
  virtual Status detect(const cv::Mat& bgr8, std::vector<Detection>& candidates) = 0;
};

// Loads the backend `options` names. not_found for an unknown cascade name or missing file,
// invalid_argument for a file that is not a cascade.
Status create_backend(const DetectorOptions& options, std::unique_ptr<Detector>& out);

class ObjectDetector {
 public:
  // Creates the backend and resolves `classes` against its class names (an unknown one is
  // invalid_argument listing the known ones).
  Status configure(const DetectorOptions& options);
  // Detections of `image` (any 1/3/4-channel 8U/16U/32F image; an empty one is invalid_argument).
  Status detect(const cv::Mat& image, std::vector<Detection>& out);
  const std::vector<std::string>& class_names() const { return backend_->class_names(); }

 private:
  DetectorOptions options_;
  std::unique_ptr<Detector> backend_;
  std::vector<bool> keep_class_;  // by class id; empty: keep all
};

// Shared filtering of candidates: score >= min_score, class kept, per-class NMS at `iou`, at most
// `max_detections`, sorted by score (descending). `keep_class` indexed by class id, empty: all.
std::vector<Detection> filter_detections(std::vector<Detection> candidates, float min_score, float iou,
                                         int max_detections, const std::vector<bool>& keep_class = {});

}  // namespace cvpipe::detect
