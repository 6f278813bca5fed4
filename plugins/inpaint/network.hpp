// The inpainting network: a gated U-Net (nn::make_unet) that refines a classical fill.
//
//   image (BGR, 8-bit) and hole mask (255 = hole)
//     -> coarse = Telea fill of the holes (cv::inpaint, radius 3; hole pixels are zeroed first,
//        so what they held never matters)
//     -> input planes: coarse B, G, R in [0, 1] minus 0.5, and the mask (1 = hole)
//     -> U-Net (gated convolutions, dilated bottleneck) -> residual r (3 planes)
//     -> estimate = coarse + r
// The classical fill gives every hole pixel a plausible start; the network learns the texture
// and structure Telea smears. Only hole pixels of the estimate are used (Inpainter composites).
//
// Model files follow nn's schema (cvpipe/nn/model_file.hpp): "architecture" is
// {"type": "inpaint_refine_unet", "prefill": "telea", "prefill_radius": 3, "unet": {...}}.
// Guarantees: load() checks metadata and every tensor before use and names the file in errors.
// An InpaintNet is used by one thread at a time.
#pragma once
#include <filesystem>
#include <memory>
#include <string>

#include <opencv2/core.hpp>

#include "cvpipe/nn/model_file.hpp"
#include "cvpipe/nn/containers.hpp"
#include "cvpipe/nn/tensor.hpp"
#include "cvpipe/nn/unet.hpp"
#include "cvpipe/status.hpp"

namespace cvpipe::inpaint {

inline constexpr const char* k_arch_type = "inpaint_refine_unet";
inline constexpr int k_in_planes = 4;   // coarse BGR + mask
inline constexpr int k_out_planes = 3;  // residual BGR

// The default network of the shipped model (see configs/train/inpaint.yaml).
nn::UNetOptions default_unet();

// The Telea fill of `mask` in a BGR 8-bit image (hole pixels zeroed first). An all-zero mask
// returns a copy of the image.
cv::Mat coarse_fill(const cv::Mat& bgr8, const cv::Mat& mask);

// Writes the network input for one image into dst (CHW planes of coarse.rows x coarse.cols):
// coarse (CV_8UC3) / 255 - 0.5 and the mask as 0 / 1.
void pack_input(const cv::Mat& coarse, const cv::Mat& mask, float* dst);

class InpaintNet {
 public:
  explicit InpaintNet(const nn::UNetOptions& options);
  InpaintNet(const InpaintNet&) = delete;
  InpaintNet& operator=(const InpaintNet&) = delete;

  const nn::UNetOptions& options() const { return options_; }
  nn::Graph& module() { return *net_; }
  // Input sides must be multiples of this.
  int multiple() const { return nn::unet_multiple(options_); }

  // Inference: the estimate (CV_32FC3, [0, 1] nominal, not clipped) for a CV_8UC3 image and its
  // CV_8UC1 mask, sides multiples of multiple(). Switches to eval mode. Throws nn::Error.
  cv::Mat run(const cv::Mat& bgr8, const cv::Mat& mask);

  std::string architecture_json() const;
  Status save(const std::filesystem::path& path, nn::ModelInfo info = {});
  static Status load(const std::filesystem::path& path, std::unique_ptr<InpaintNet>& out);

 private:
  nn::UNetOptions options_;
  std::shared_ptr<nn::Graph> net_;
  nn::Dims last_dims_;
};

}  // namespace cvpipe::inpaint
