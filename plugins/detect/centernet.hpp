// The detect plugin's own single-shot, anchor-free detector (CenterNet-style, Zhou et al. 2019),
// trained and run on the nn engine.
//
// Network: image [N, 3, H, W] (BGR / 255, H and W multiples of multiple() = 32)
//   -> stem: two 3x3 stride-2 convs (BN, ReLU): stride 4
//   -> U-Net (cvpipe/nn/unet.hpp) with output at stride 4
//   -> [N, C + 4, H/4, W/4]: C class heatmap logits, then the centre offset (x, y) within its cell
//      and the log box size (log(w / 4), log(h / 4)).
// A box of class c with centre (cx, cy) is encoded at cell (floor(cx/4), floor(cy/4)): a Gaussian
// peak of 1 there in heatmap c (radius from the box size, as CenterNet), the sub-cell offset and
// log size in the other planes, a 1 in the mask plane. Decoding takes the local maxima (3x3) of
// the sigmoid heatmaps.
//
// Input mapping: the network sees the image at its own pixel scale padded right and bottom to the
// next multiple of 32 (stride padding), or, with a fixed input size, letterboxed into it (resized
// to fit, keeping the aspect ratio, centred); boxes map back to the image's pixels exactly.
//
// Model files follow nn's schema: "architecture" {"type": "centernet_unet", "classes", "stem_width",
// "unet": {...}}, "preprocessing" {"scale": 1/255, "channels": "bgr", "stride": 4, "multiple": 32},
// "class_names". A CenterNet is used by one thread at a time.
#pragma once
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "cvpipe/frame.hpp"
#include "cvpipe/nn/model_file.hpp"
#include "cvpipe/nn/containers.hpp"
#include "cvpipe/nn/unet.hpp"
#include "cvpipe/status.hpp"

namespace cvpipe::detect {

inline constexpr int kOutputStride = 4;
inline constexpr const char* kCenterNetType = "centernet_unet";

struct CenterNetConfig {
  std::vector<std::string> class_names;
  int stem_width = 16;
  nn::UNetOptions unet{.in_channels = 24, .out_channels = 0, .base_width = 24, .max_width = 96, .levels = 3,
                       .output_level = 0, .batch_norm = true, .transpose_up = true, .bottleneck_dilations = {2}};
};

// Where an image sits in the network input: input = pad(resize(image, scale)), image origin at
// (pad_x, pad_y).
struct InputMapping {
  double scale = 1.0;
  int pad_x = 0, pad_y = 0;
  cv::Size image;  // the original image size
  cv::Size input;  // the network input size
  // A box in network-input pixels -> the same box in image pixels.
  cv::Rect2f to_image(const cv::Rect2f& box) const;
};

// input_size empty: the image at scale 1, padded to multiples of `multiple`; else letterboxed
// into input_size (each side a multiple of `multiple`).
InputMapping plan_input(cv::Size image, cv::Size input_size, int multiple);
// The network input image (8-bit BGR, `m.input` sized, padding gray 114) for an 8-bit BGR image.
cv::Mat map_input(const cv::Mat& bgr8, const InputMapping& m);

class CenterNet {
 public:
  explicit CenterNet(CenterNetConfig config);
  ~CenterNet();
  CenterNet(const CenterNet&) = delete;
  CenterNet& operator=(const CenterNet&) = delete;

  const CenterNetConfig& config() const { return config_; }
  int classes() const { return static_cast<int>(config_.class_names.size()); }
  int output_channels() const { return classes() + 4; }
  // Input sides must be multiples of this.
  int multiple() const;
  nn::Graph& module() { return *net_; }
  // Initial weights (kaiming) and the heatmap bias prior (0.1 everywhere).
  void initialize(std::uint64_t seed);

  // Detections of an 8-bit BGR image in its own pixels (eval mode; see the input mapping above):
  // peaks scoring at least min_score, at most top_k, best first, boxes clipped to the image.
  // Throws nn::Error on engine failure.
  std::vector<Detection> detect(const cv::Mat& bgr8, cv::Size input_size, float min_score, int top_k);

  std::string architecture_json() const;
  std::string preprocessing_json() const;
  Status save(const std::filesystem::path& path, nn::ModelInfo info = {});
  static Status load(const std::filesystem::path& path, std::unique_ptr<CenterNet>& out);

 private:
  CenterNetConfig config_;
  std::shared_ptr<nn::Graph> net_;
};

// A ground-truth box in network-input pixels.
struct TargetBox {
  cv::Rect2f box;
  int class_id = 0;
};

// Training targets of one image for an output grid of `grid` cells: a 3-D CV_32F Mat of sizes
// {C + 5, grid.height, grid.width}: C heatmaps, offset x, offset y, log w, log h, mask.
cv::Mat encode_targets(const std::vector<TargetBox>& boxes, int classes, cv::Size grid);

// The CenterNet radius (in cells) of a Gaussian for a box of `height` x `width` cells: the largest
// centre shift that keeps IoU >= min_overlap with the true box.
double gaussian_radius(double height, double width, double min_overlap = 0.7);

struct CenterLoss {
  double heatmap = 0, offset = 0, size = 0, total = 0;
};
// Focal loss on the heatmaps (alpha 2, beta 4) + L1 on offsets + L1 on log sizes at the centres,
// each normalised by the number of objects. `out`: [N, C+4, h, w] network output values;
// `targets`: [N, C+5, h, w] (encode_targets). Writes d(total)/d(out) into `grad` (same size).
CenterLoss center_loss(const std::vector<float>& out, const std::vector<float>& targets, int n, int classes, int h, int w,
                       std::vector<float>& grad, double size_weight = 1.0);

// Candidate boxes of one image from its output planes (C+4 planes of h x w, CHW): local maxima
// of the sigmoid heatmaps scoring at least min_score, at most top_k, best first; boxes in
// network-input pixels. Labels from class_names.
std::vector<Detection> decode_detections(const float* out, int h, int w, const std::vector<std::string>& class_names,
                                         float min_score, int top_k);

}  // namespace cvpipe::detect
