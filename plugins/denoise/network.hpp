// The denoising network: a residual, FFDNet-style CNN that works at half resolution.
//
//   image x (C channels, values in [0, 1], even H and W)
//     -> pixel-unshuffle 2x2: 4C planes of H/2 x W/2, plane c*4 + dy*2 + dx = x[c](2i+dy, 2j+dx)
//     -> + one noise-level plane filled with sigma / 255
//     -> Conv3x3(4C+1 -> F) ReLU, (depth - 2) x [Conv3x3(F -> F) ReLU], Conv3x3(F -> 4C)
//     -> predicted noise n (unshuffled); clean = x - pixel-shuffle(n)
//
// Working on 2x2 blocks quarters the cost per layer and doubles the receptive field; the noise
// map lets one model cover every sigma in its training range (and blind use with sigma: auto).
// Unshuffle, noise map and shuffle are memory re-arrangements done here on the host, so the nn
// module is a plain Sequential of convolutions ("0.weight", "2.weight", ... as torch names an
// nn.Sequential) and training computes its loss directly on the unshuffled noise.
//
// Model files follow nn's schema (cvpipe/nn/model_file.hpp): "architecture" (JSON: type, channels,
// features, depth, scale), "preprocessing" (JSON: value range, noise-map scale, training sigma
// range), and the training record (recipe, command, metrics) that save() takes in `info`.
// Guarantees: load() validates the metadata and every tensor before building anything and names
// the file in errors. A DenoiseNet is used by one thread at a time.
#pragma once
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include <opencv2/core.hpp>

#include "cvpipe/nn/model_file.hpp"
#include "cvpipe/nn/containers.hpp"
#include "cvpipe/nn/tensor.hpp"
#include "cvpipe/status.hpp"

namespace cvpipe::denoise {

struct NetConfig {
  int channels = 1;   // image channels: 1 (gray) or 3 (BGR)
  int features = 64;  // width of the hidden layers
  int depth = 12;     // number of conv layers (>= 2)
  double sigma_max = 55.0;  // top of the training noise range (metadata only)
};

inline constexpr const char* k_arch_type = "ffdnet_residual_unshuffle2";

class DenoiseNet {
 public:
  explicit DenoiseNet(const NetConfig& config);
  ~DenoiseNet();
  DenoiseNet(const DenoiseNet&) = delete;
  DenoiseNet& operator=(const DenoiseNet&) = delete;

  const NetConfig& config() const { return config_; }
  nn::Sequential& module() { return *net_; }
  int in_planes() const { return 4 * config_.channels + 1; }
  int out_planes() const { return 4 * config_.channels; }
  // Receptive-field radius in full-resolution pixels (tiles need at least this much context).
  int receptive_radius() const { return 2 * config_.depth + 1; }

  // Packs a CV_32FC(channels) image (even H, W; values in [0, 1]) and sigma (in 8-bit levels)
  // into in_planes() planes of H/2 x W/2 at dst (CHW, row-major).
  static void pack(const cv::Mat& image, double sigma, float* dst);
  // Unshuffles a CV_32FC(C) image (even H, W) into 4C planes of H/2 x W/2 at dst.
  static void unshuffle(const cv::Mat& image, float* dst);
  // clean = image - shuffle(noise): noise holds 4C planes of H/2 x W/2 (CHW).
  static cv::Mat subtract_noise(const cv::Mat& image, const float* noise);

  // Inference: the clean estimate of a CV_32FC(channels) image with even H and W, values in
  // [0, 1] (not clipped). Switches the module to eval mode. Throws nn::Error on engine failure.
  cv::Mat run(const cv::Mat& image, double sigma);

  // Precision of inference/training compute (bf16 keeps f32 master weights).
  void set_dtype(nn::DType dtype);
  nn::DType dtype() const { return dtype_; }

  std::string architecture_json() const;
  std::string preprocessing_json() const;
  // `info` supplies the training record; architecture and preprocessing are this network's.
  Status save(const std::filesystem::path& path, nn::ModelInfo info = {});
  static Status load(const std::filesystem::path& path, std::unique_ptr<DenoiseNet>& out);
  // Parses an architecture JSON into a config (errors name `label`).
  static Status parse_architecture(const std::string& json, const std::string& label, NetConfig& out);

 private:
  NetConfig config_;
  std::shared_ptr<nn::Sequential> net_;
  nn::DType dtype_ = nn::DType::f32;
  nn::Dims last_dims_;
  nn::Tensor input_;
};

}  // namespace cvpipe::denoise
