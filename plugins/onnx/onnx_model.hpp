// An ONNX model run on frames: preprocessing of a frame into the network input, inference with
// OpenCV dnn, and the three decodings of the `onnx` stage (labels, detections, image).
//
// Preprocessing (InputSpec): the frame (8U or 16U; 16U is divided by 257 first) gets the channel
// count the model's input declares (gray <-> BGR), BGR -> RGB when swap_rb, then is resized to
// width x height (or, when 0, the model's fixed input size, else padded right and bottom with
// zeros to multiples of `multiple`), and x = (pixel * scale - mean[c]) / std[c] with mean and std
// given in RGB order (a 1-channel input uses mean[0] and std[0]).
// Runtime: OpenCV dnn, or (spec.engine) the graph import_onnx() builds, run on the engine in eval
// mode (for ops OpenCV's importer rejects).
// Guarantees: open() checks the file is an ONNX model with one 4-D input and lets OpenCV (or the
// importer) take it, and names the file in every error. An OnnxModel is used by one thread at a time.
#pragma once
#include <array>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>

#include "cvpipe/frame.hpp"
#include "cvpipe/nn/containers.hpp"
#include "cvpipe/status.hpp"

namespace cvpipe::onnx_stage {

struct InputSpec {
  int width = 0, height = 0;  // 0: the model's fixed size, else the frame's rounded up to `multiple`
  int multiple = 32;
  double scale = 1.0 / 255.0;
  std::array<float, 3> mean{0.f, 0.f, 0.f};  // RGB order
  std::array<float, 3> std{1.f, 1.f, 1.f};
  bool swap_rb = true;
  bool engine = false;  // run on the engine (cvpipe/nn/onnx.hpp import_onnx) instead of OpenCV dnn
};

// Where the frame went in the network input: its content covers content.width x content.height
// of the input's width x height (the rest is padding), after scaling by (sx, sy).
struct InputMapping {
  cv::Size input;
  cv::Size content;
  double sx = 1, sy = 1;  // input pixels per frame pixel
};

class OnnxModel {
 public:
  static Status open(const std::filesystem::path& file, const InputSpec& spec, std::unique_ptr<OnnxModel>& out);

  // The network output for one frame image (any N-d shape, f32) and how the frame was mapped.
  Status run(const cv::Mat& image, cv::Mat& output, InputMapping& mapping);

  int input_channels() const { return channels_; }
  // metadata_props of the file (cvpipe exports hold class_names, preprocessing ...).
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  // class_names from the metadata (a JSON array), empty when absent.
  std::vector<std::string> class_names() const;

 private:
  std::string label_;
  InputSpec spec_;
  int channels_ = 3;
  int fixed_h_ = 0, fixed_w_ = 0;  // the model's own input size (0: free)
  std::map<std::string, std::string> metadata_;
  cv::dnn::Net net_;
  std::shared_ptr<nn::Graph> engine_;  // runtime cvpipe
};

// Reads a labels file: one class name per line (blank lines kept as names "").
Status read_labels_file(const std::filesystem::path& file, std::vector<std::string>& out);

// labels: a [1, K] (or [1, K, 1, 1]) output; softmax is applied unless it already holds
// probabilities (all in [0, 1], sum 1 +- 1e-3). Best first, top_k of them, those >= threshold.
Status decode_labels(const cv::Mat& output, const std::vector<std::string>& names, int top_k, float threshold,
                     std::vector<Label>& out);

// detections: YOLO-style single-shot outputs in network-input pixels, cx cy w h per box:
//   rows  [1, N, 5 + C]: cx, cy, w, h, objectness, C class scores (score = objectness * class)
//   cols  [1, 4 + C, N]: cx, cy, w, h, C class scores (no objectness)
// `layout` "auto" picks rows when the last dim is the smaller one. Boxes over score_threshold go
// through per-class non-maximum suppression (nms_threshold IoU) and are mapped to frame pixels.
struct DetectionDecoding {
  std::string layout = "auto";  // auto | rows | cols
  float score_threshold = 0.25f;
  float nms_threshold = 0.45f;
  int max_detections = 300;
};
Status decode_detections(const cv::Mat& output, const InputMapping& mapping, cv::Size frame,
                         const std::vector<std::string>& names, const DetectionDecoding& d,
                         std::vector<Detection>& out);

// image: a [1, C, h, w] output; its first 3 channels (1 when C < 3) times out_scale plus
// out_offset, clipped to 8 bits (RGB -> BGR when swap_rb and 3 channels), the region covering the
// frame's content resized to `frame`.
Status decode_image(const cv::Mat& output, const InputMapping& mapping, cv::Size frame, double out_scale,
                    double out_offset, bool swap_rb, cv::Mat& out);

}  // namespace cvpipe::onnx_stage
