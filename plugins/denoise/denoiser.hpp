// CnnDenoiser: a DenoiseNet applied to whole images of any size and type, tile by tile.
//
// Accepts 8U and 16U images with 1, 3 or 4 channels (alpha passes through untouched); values are
// scaled to [0, 1] by the type maximum, so `sigma` is always in 8-bit levels (a 16-bit image with
// noise of 257 * s levels takes sigma = s). A gray model on a colour image denoises each channel
// on its own; a colour model on a gray image runs on the gray replicated to BGR. The result has
// the input's type. Memory is bounded by the tile size (see cvpipe/nn/tiling.hpp), not the image size.
// Errors are Status values naming what is wrong. Not thread-safe (one network, one thread).
#pragma once
#include <memory>
#include <string>

#include <opencv2/core.hpp>

#include "cvpipe/nlmeans.hpp"
#include "cvpipe/status.hpp"
#include "network.hpp"
#include "cvpipe/nn/tiling.hpp"

namespace cvpipe::denoise {

struct CnnOptions {
  int tile = 320;      // largest tile side in pixels (including margins); see README "Large images" for why 320
  int margin = 0;      // context per inner tile side; 0: the network's receptive-field radius
};

class CnnDenoiser {
 public:
  explicit CnnDenoiser(std::unique_ptr<DenoiseNet> net, CnnOptions options = {});
  DenoiseNet& net() { return *net_; }
  const CnnOptions& options() const { return options_; }
  void set_options(const CnnOptions& options) { options_ = options; }
  nn::TilingOptions tiling() const;

  Status denoise(const cv::Mat& src, double sigma, cv::Mat& dst);

 private:
  // Denoises an image whose channel count matches the network.
  Status denoise_matching(const cv::Mat& src, double sigma, cv::Mat& dst);

  std::unique_ptr<DenoiseNet> net_;
  CnnOptions options_;
};

// The NL-means baseline (stage `method: nlmeans`, eval) for noise `sigma` in 8-bit levels: h and
// h_color = sigma, template 7, search 21.
inline NlMeansOptions nlmeans_options(double sigma) {
  NlMeansOptions o;
  o.h = o.h_color = static_cast<float>(sigma);
  return o;
}

// The shipped models (the defaults of the `model_gray` / `model_color` parameters of the stage and
// the eval command; the host finds them under the model search folders).
inline constexpr const char* kGrayModel = "models/denoise_gray.safetensors";
inline constexpr const char* kColorModel = "models/denoise_color.safetensors";

// Loads the model file `path` (found by the host) for the stage and the eval command; dtype "auto"
// picks bf16 on CPUs with native bf16 (AVX512_BF16 or AMX), else f32 ("f32" / "bf16" force).
Status load_cnn_denoiser(const std::filesystem::path& path, const std::string& dtype, const CnnOptions& options,
                         std::unique_ptr<CnnDenoiser>& out);

}  // namespace cvpipe::denoise
