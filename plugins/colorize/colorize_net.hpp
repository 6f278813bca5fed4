// The colourisation network: a U-Net (cvpipe/nn/unet.hpp) from the L plane to per-pixel logits
// over the chroma bins (chroma_bins.hpp), with its output at 1/2^output_level of its input.
//
//   image (any size) -> L (Lab) -> resized so the short side is net_side (sides rounded to the
//   U-Net multiple) -> L / 100 - 0.5 -> U-Net -> K logits per pixel at reduced size
//   -> annealed mean (temperature) x saturation (x confidence weight) -> ab at reduced size
//   -> bilinear to full size
//   -> original L + predicted ab -> BGR
//
// So any image size works and the output's L is the input's (up to clipping of colours that are
// outside the displayable range). The model file (cvpipe/nn/model_file.hpp) holds:
//   architecture  {"type": "colorize_ab_classes", "unet": UNetOptions}
//   preprocessing {"net_side", "temperature", "saturation", "prior_correction", "cast_removal",
//                  "confidence", "flip_average" (optional: 0 / false when absent), "grid",
//                  "bins": [[a, b]...], "weights": [...]}
// The decoding (temperature, saturation, prior_correction, cast_removal, confidence, flip_average)
// is chosen on a validation split of the training photos after training (scoring.hpp).
// Guarantees: load() validates metadata and every tensor and names the file in errors. A
// ColorizeNet is used by one thread at a time.
#pragma once
#include <filesystem>
#include <memory>
#include <string>

#include <opencv2/core.hpp>

#include "chroma_bins.hpp"
#include "cvpipe/nn/model_file.hpp"
#include "cvpipe/nn/containers.hpp"
#include "cvpipe/nn/unet.hpp"
#include "cvpipe/status.hpp"

namespace cvpipe::colorize {

inline constexpr const char* k_colorize_arch = "colorize_ab_classes";

struct Decoding {
  float temperature = 0.4f;       // annealed-mean temperature (> 0)
  float saturation = 1.0f;        // scale of the predicted ab
  float prior_correction = 0.0f;  // 0..1: how much of the class rebalancing to undo (chroma_bins.hpp)
  float cast_removal = 0.0f;      // 0..1: share of the image's mean predicted ab removed (gray-world)
  float confidence = 0.0f;        // >= 0: each pixel's ab is scaled by (c / 0.5)^confidence, c its confidence
                                  // (chroma_bins.hpp); 0: off, larger: sure pixels vivid, unsure ones gray
  bool flip_average = false;      // average the bin probabilities of the image and of its mirror image
};

// Scale of a pixel's chroma under confidence weighting: (c / k_confidence_ref)^exponent.
inline constexpr float k_confidence_ref = 0.5f;
float confidence_scale(float c, float exponent);

class ColorizeNet {
 public:
  // `unet.out_channels` is set to bins.size() and in_channels to 1.
  ColorizeNet(nn::UNetOptions unet, ChromaBins bins, int net_side, Decoding decoding);

  const nn::UNetOptions& unet() const { return unet_; }
  const ChromaBins& bins() const { return bins_; }
  int net_side() const { return net_side_; }
  const Decoding& decoding() const { return decoding_; }
  void set_decoding(Decoding d) { decoding_ = d; }
  nn::Graph& module() { return *net_; }
  int multiple() const { return nn::unet_multiple(unet_); }
  int output_scale() const { return 1 << unet_.output_level; }

  // The network input size for an image of `size`: short side net_side, sides multiples of multiple().
  cv::Size input_size(cv::Size size) const;
  // Logits [1, K, h, w] (plain f32) for a full-resolution L plane (CV_32FC1, 0..100). Eval mode.
  // With flip_average: log of the mean of the bin probabilities of l and of its mirror image.
  nn::Tensor logits(const cv::Mat& l, bool flip_average = false);
  // ab (CV_32FC2) of `size` decoded from logits [1, K, h, w].
  cv::Mat decode(const nn::Tensor& logits, cv::Size size, Decoding d) const;
  // Colourises an 8/16-bit gray, BGR or BGRA image into a BGR image of the same depth (BGRA keeps
  // alpha), with the model's decoding and its saturation multiplied by `saturation_scale`.
  Status colorize(const cv::Mat& image, float saturation_scale, cv::Mat& out);

  std::string architecture_json() const;
  std::string preprocessing_json() const;
  Status save(const std::filesystem::path& path, nn::ModelInfo info);
  static Status load(const std::filesystem::path& path, std::unique_ptr<ColorizeNet>& out);

 private:
  nn::UNetOptions unet_;
  ChromaBins bins_;
  int net_side_;
  Decoding decoding_;
  std::shared_ptr<nn::Graph> net_;
};

// L plane (0..100) -> network input values (L / 100 - 0.5).
inline float normalize_l(float l) { return l / 100.f - 0.5f; }

}  // namespace cvpipe::colorize
